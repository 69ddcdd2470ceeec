using LearningSystem.PersonalData;
using LearningSystem.Curriculum;
using LearningSystem.Curriculum.Proposing;
using LearningSystem.Curriculum.Reflecting;
using LearningSystem.Curriculum.Teaching;
using LearningSystem.Feedback;
using LearningSystem.Negotiating.Amending;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Negotiating.Objecting;
using LearningSystem.Participants;
using LearningSystem.Priorities;

using static LearningSystem.Tests.GivenWhenThen;

namespace LearningSystem.Tests.Curriculum;

/// <summary>Given a curriculum change's events, when someone acts, then these events, or this rejection.</summary>
public sealed class CoCreatingCurriculumDecisions
{
    private static readonly DateTimeOffset Now = TestClock.Start;
    private static readonly Guid ChangeId = Guid.Parse("c0000000-0000-4000-8000-0000000000c1");
    private static readonly Guid PriorityId = Guid.Parse("c0000000-0000-4000-8000-0000000000b1");
    private static readonly Actor Lim = new(Guid.Parse("c0000000-0000-4000-8000-0000000000a1"), StakeholderGroup.Educator);
    private static readonly Actor Okafor = new(Guid.Parse("c0000000-0000-4000-8000-0000000000a2"), StakeholderGroup.Patient);
    private static readonly Actor Tom = new(Guid.Parse("c0000000-0000-4000-8000-0000000000a3"), StakeholderGroup.Student);

    private static Participant Person(Actor actor) => new(actor.Id, "[sealed]", actor.Group, null, [], Now);

    private static readonly CurriculumChangeProposed Proposed = new(
        ChangeId, "MBBS Year 3", "Clinical Communication", "Explain a delay", "Patient educators co-teach",
        [new CoDesigner(Okafor.Id, Okafor.Group, CoDesignRole.PatientEducator)], [], Lim.Id, Lim.Group, Now);

    private static readonly Priority Agreed = Priority.Apply(
        new PriorityDecided(PriorityId, DecisionOutcome.Agreed, "Agreed", [Lim.Id], [], [], Lim.Id, Lim.Group, Now, Guid.NewGuid()),
        Priority.Create(new PrioritySet(PriorityId, "Students learn to explain delays", "Why", Okafor.Id, Okafor.Group, [], [], null, Now)));

    private static CurriculumChange Approved()
    {
        var change = CurriculumChange.Create(Proposed);
        var decided = DecideChangeEndpoint.Decide(change, new DecideChange(Lim.Id, "approved", "Serves it", [PriorityId], [Lim.Id], null, null, 1), Lim, [Agreed], [Lim.Id], [], Now, Guid.NewGuid());
        return CurriculumChange.Apply(decided, change)!;
    }

    private static RecordTeachingSession Session(DateTimeOffset on, params Guid[] teachers) => new(Lim.Id, "Waiting", on, teachers, 20);

    [Fact]
    public void When_proposing_then_each_co_designer_keeps_their_role_and_group()
    {
        var command = new ProposeCurriculumChange(" MBBS Year 3 ", null, " Explain a delay ", "Co-teach", [new(Okafor.Id, "patientEducator"), new(Tom.Id, "peerStudent")], null, Lim.Id);

        var then = ProposeCurriculumChangeEndpoint.Decide(ChangeId, command, [Person(Lim), Person(Okafor), Person(Tom)], [], Now);

        Assert.Equal(("MBBS Year 3", "Explain a delay", StakeholderGroup.Educator), (then.Course, then.LearningOutcome, then.ProposerGroup));
        Assert.Equal(
            [new CoDesigner(Okafor.Id, StakeholderGroup.Patient, CoDesignRole.PatientEducator), new CoDesigner(Tom.Id, StakeholderGroup.Student, CoDesignRole.PeerStudent)],
            then.CoDesigners);
    }

    [Fact]
    public void When_a_co_designer_is_unknown_or_named_twice_then_it_is_refused()
    {
        ThenRejected(RejectionKind.NotFound, "coDesigners", () => ProposeCurriculumChangeEndpoint.Decide(
            ChangeId, new ProposeCurriculumChange("c", null, "o", "p", [new(Tom.Id, "peerStudent")], null, Lim.Id), [Person(Lim)], [], Now));
        ThenRejected(RejectionKind.Invalid, "coDesigners", () => ProposeCurriculumChangeEndpoint.Decide(
            ChangeId, new ProposeCurriculumChange("c", null, "o", "p", [new(Tom.Id, "peerStudent"), new(Tom.Id, "educator")], null, Lim.Id), [Person(Lim), Person(Tom)], [], Now));
        ThenRejected(RejectionKind.NotFound, "proposedBy", () => ProposeCurriculumChangeEndpoint.Decide(
            ChangeId, new ProposeCurriculumChange("c", null, "o", "p", [new(Tom.Id, "peerStudent")], null, Lim.Id), [Person(Tom)], [], Now));
    }

    [Fact]
    public void When_feedback_was_not_consented_for_education_then_it_is_not_evidence()
    {
        var feedback = new PatientFeedback(Guid.NewGuid(), "patient:x", "Clinic", "kiosk", Now, FeedbackRating.Poor, "sealed", null, [ConsentScope.ServiceImprovement], Now);

        ThenRejected(RejectionKind.Invalid, "evidence", () => ProposeCurriculumChangeEndpoint.Decide(
            ChangeId, new ProposeCurriculumChange("c", null, "o", "p", [new(Okafor.Id, "patientEducator")], [feedback.Id], Lim.Id), [Person(Lim), Person(Okafor)], [feedback], Now));
    }

    [Fact]
    public void The_learning_outcome_is_the_wording_amendments_reword()
    {
        var change = CurriculumChange.Create(Proposed) with { Version = 1 };
        var proposed = ProposeAmendmentEndpoint.Decide(change, new ProposeAmendment(Okafor.Id, "Explain a delay honestly", "Say how long", 1), Okafor, Guid.NewGuid(), Now);
        var amended = CurriculumChange.Apply(proposed, change)!;

        var accepted = CurriculumChange.Apply(AcceptAmendmentEndpoint.Decide(amended, proposed.AmendmentId, new AcceptAmendment(Lim.Id, null, 2), Lim, Now), amended)!;

        Assert.Equal("Explain a delay honestly", accepted.LearningOutcome);
        Assert.Equal(["Explain a delay", "Explain a delay honestly"], accepted.Negotiation.Wordings.Select(w => w.Text));
    }

    [Fact]
    public void Given_a_decision_when_objecting_or_deciding_again_then_it_is_a_conflict()
    {
        ThenRejected(RejectionKind.Conflict, null, () => RaiseObjectionEndpoint.Decide(Approved(), new RaiseObjection(Tom.Id, "Too late", null), Tom, Guid.NewGuid(), Now));
        ThenRejected(RejectionKind.Conflict, null, () => DecideChangeEndpoint.Decide(
            Approved(), new DecideChange(Lim.Id, "rejected", "No", [], [Lim.Id], null, null, 2), Lim, [], [Lim.Id], [], Now, Guid.NewGuid()));
    }

    [Fact]
    public void When_a_decision_answers_an_objection_it_does_not_have_then_it_is_not_found() =>
        ThenRejected(RejectionKind.NotFound, "answersObjections", () => DecideChangeEndpoint.Decide(
            CurriculumChange.Create(Proposed), new DecideChange(Lim.Id, "approved", "Yes", [PriorityId], [Lim.Id], [Guid.NewGuid()], null, 1), Lim, [Agreed], [Lim.Id], [], Now, Guid.NewGuid()));

    [Fact]
    public void When_teaching_an_approved_change_then_the_teachers_groups_are_kept()
    {
        var then = RecordTeachingSessionEndpoint.Decide(Approved(), Session(Now.AddDays(-1), Okafor.Id, Lim.Id, Okafor.Id), Lim, [Person(Okafor), Person(Lim)], Guid.Empty, Now);

        Assert.Equal([new Teacher(Okafor.Id, StakeholderGroup.Patient), new Teacher(Lim.Id, StakeholderGroup.Educator)], then.Teachers);
    }

    [Fact]
    public void Teaching_is_refused_before_approval_before_delivery_and_by_unknown_teachers()
    {
        ThenRejected(RejectionKind.Conflict, null, () => RecordTeachingSessionEndpoint.Decide(CurriculumChange.Create(Proposed), Session(Now, Lim.Id), Lim, [Person(Lim)], Guid.Empty, Now));
        ThenRejected(RejectionKind.Invalid, "deliveredOn", () => RecordTeachingSessionEndpoint.Decide(Approved(), Session(Now.AddHours(1), Lim.Id), Lim, [Person(Lim)], Guid.Empty, Now));
        ThenRejected(RejectionKind.NotFound, "teachers", () => RecordTeachingSessionEndpoint.Decide(Approved(), Session(Now, Tom.Id), Lim, [], Guid.Empty, Now));
    }

    [Fact]
    public void A_reflection_names_a_session_of_its_change_or_none()
    {
        var taught = CurriculumChange.Apply(RecordTeachingSessionEndpoint.Decide(Approved(), Session(Now, Lim.Id), Lim, [Person(Lim)], Guid.NewGuid(), Now), Approved());

        var then = RecordReflectionEndpoint.Decide(Guid.Empty, taught, new RecordReflection(Tom.Id, taught.Sessions[0].Id, " Patients teach too ", " The student view "), Tom, Now);

        Assert.Equal(("Patients teach too", "The student view", StakeholderGroup.Student), (then.Learned, then.Taught, then.ByGroup));
        ThenRejected(RejectionKind.NotFound, "sessionId", () => RecordReflectionEndpoint.Decide(Guid.Empty, taught, new RecordReflection(Tom.Id, Guid.NewGuid(), "a", "b"), Tom, Now));
    }
}
