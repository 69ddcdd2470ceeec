using LearningSystem.Negotiating;
using LearningSystem.Negotiating.Amending;
using LearningSystem.Negotiating.Endorsing;
using LearningSystem.Negotiating.Objecting;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.Priorities.CounterProposing;
using LearningSystem.Priorities.Deciding;
using LearningSystem.Priorities.Merging;
using LearningSystem.Priorities.Withdrawing;

using static LearningSystem.Tests.GivenWhenThen;

namespace LearningSystem.Tests.Priorities;

/// <summary>Given a priority's events, when a move is made, then these events, or this rejection.</summary>
public sealed class NegotiatingPriorityDecisions
{
    private static readonly DateTimeOffset Now = TestClock.Start;
    private static readonly Guid PriorityId = Guid.Parse("b0000000-0000-4000-8000-000000000001");
    private static readonly Actor Jenny = new(Guid.Parse("b0000000-0000-4000-8000-0000000000a1"), StakeholderGroup.Student);
    private static readonly Actor Patient = new(Guid.Parse("b0000000-0000-4000-8000-0000000000a2"), StakeholderGroup.Patient);
    private static readonly Actor Nurse = new(Guid.Parse("b0000000-0000-4000-8000-0000000000a3"), StakeholderGroup.Nurse);
    private static readonly Guid ObjectionId = Guid.Parse("b0000000-0000-4000-8000-0000000000b1");
    private static readonly Guid AmendmentId = Guid.Parse("b0000000-0000-4000-8000-0000000000c1");

    private static readonly PrioritySet Set = new(PriorityId, "Shorter waits in clinic", "Patients wait hours", Jenny.Id, Jenny.Group, [], [], null, Now);
    private static readonly ObjectionRaised Objected = new(PriorityId, ObjectionId, Nurse.Id, Nurse.Group, "Waits are not the main problem", Now);
    private static readonly AmendmentProposed Amended = new(PriorityId, AmendmentId, Patient.Id, Patient.Group, "Tell patients how long they will wait", "Uncertainty is worse", Now);

    private static readonly PriorityDecided Decided = new(PriorityId, DecisionOutcome.Agreed, "Everyone agreed", [Jenny.Id, Patient.Id], [ObjectionId], [], Nurse.Id, Nurse.Group, Now, Guid.NewGuid());

    /// <summary>Folds events the way the inline projection does, counting versions.</summary>
    private static Priority Given(params object[] events) =>
        events.Skip(1).Aggregate(Priority.Create((PrioritySet)events[0]) with { Version = 1 }, (p, e) => (e switch
        {
            ProposalEndorsed x => Priority.Apply(x, p),
            ObjectionRaised x => Priority.Apply(x, p),
            ObjectionWithdrawn x => Priority.Apply(x, p),
            AmendmentProposed x => Priority.Apply(x, p),
            AmendmentAccepted x => Priority.Apply(x, p),
            AmendmentRejected x => Priority.Apply(x, p),
            CounterProposed x => Priority.Apply(x, p),
            PriorityMerged x => Priority.Apply(x, p),
            PriorityAbsorbed x => Priority.Apply(x, p),
            PriorityWithdrawn x => Priority.Apply(x, p),
            PriorityDecided x => Priority.Apply(x, p),
            DecisionReopened x => Priority.Apply(x, p),
            _ => throw new ArgumentException(e.GetType().Name),
        })! with { Version = p.Version + 1 });

    /// <summary>The objections' own documents after these events, folded as the objection index writes them.</summary>
    private static IReadOnlyList<Objection> ObjectionsAfter(params object[] events) => Objection.Fold(events.Select((e, i) => (e, i + 1L)));

    private static readonly Objection Raised = Objection.From(Objected, 2);

    [Fact]
    public void When_endorsing_then_the_endorser_and_their_group_are_recorded()
    {
        var then = EndorseEndpoint.Decide(Given(Set), null, new Endorse(Patient.Id, " Yes please ", null), Patient, Now);

        Assert.Equal(new ProposalEndorsed(PriorityId, Patient.Id, StakeholderGroup.Patient, "Yes please", Now), then);
    }

    [Fact]
    public void Given_an_endorsement_when_endorsing_again_then_it_is_a_conflict()
    {
        var endorsed = new ProposalEndorsed(PriorityId, Patient.Id, Patient.Group, null, Now);

        ThenRejected(RejectionKind.Conflict, () => EndorseEndpoint.Decide(
            Given(Set, endorsed), Endorsement.From(endorsed, 2), new Endorse(Patient.Id, null, null), Patient, Now));
    }

    [Fact]
    public void Given_endorsements_then_the_priority_counts_them_and_each_has_its_own_record()
    {
        var first = new ProposalEndorsed(PriorityId, Patient.Id, Patient.Group, null, Now);
        var second = new ProposalEndorsed(PriorityId, Nurse.Id, Nurse.Group, "Agreed", Now);

        Assert.Equal(2, Given(Set, first, second).Negotiation.Endorsements);
        Assert.NotEqual(Endorsement.From(first, 2).Id, Endorsement.From(second, 3).Id);
        Assert.Equal(Endorsement.IdFor(PriorityId, Patient.Id), Endorsement.From(first, 2).Id);
    }

    [Fact]
    public void Given_a_decision_when_making_any_move_then_it_is_a_conflict_that_says_to_reopen()
    {
        var decided = Given(Set, Objected, Decided);

        var rejected = Assert.Throws<Rejected>(() => RaiseObjectionEndpoint.Decide(decided, new RaiseObjection(Patient.Id, "Too late", null), Patient, Guid.NewGuid(), Now));

        Assert.Equal(RejectionKind.Conflict, rejected.Kind);
        Assert.Contains("reopen", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_an_objection_when_someone_else_withdraws_it_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => WithdrawObjectionEndpoint.Decide(Given(Set, Objected), ObjectionId, Raised, new WithdrawObjection(Jenny.Id, null, null), Jenny, Now));

    [Fact]
    public void Given_an_objection_when_the_objector_withdraws_it_then_it_is_closed()
    {
        var then = WithdrawObjectionEndpoint.Decide(Given(Set, Objected), ObjectionId, Raised, new WithdrawObjection(Nurse.Id, "Convinced", null), Nurse, Now);

        Assert.False(Assert.Single(ObjectionsAfter(Set, Objected, then)).Open);
        Assert.Equal(1, Given(Set, Objected, then).Negotiation.ObjectionsRaised);
    }

    [Fact]
    public void Given_a_withdrawn_objection_when_withdrawing_it_again_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => WithdrawObjectionEndpoint.Decide(
            Given(Set, Objected, new ObjectionWithdrawn(PriorityId, ObjectionId, Nurse.Id, Nurse.Group, null, Now)), ObjectionId, Raised.Withdrawn(), new WithdrawObjection(Nurse.Id, null, null), Nurse, Now));

    [Fact]
    public void When_withdrawing_an_unknown_objection_then_it_is_not_found() =>
        ThenRejected(RejectionKind.NotFound, () => WithdrawObjectionEndpoint.Decide(Given(Set), Guid.NewGuid(), null, new WithdrawObjection(Nurse.Id, null, null), Nurse, Now));

    [Fact]
    public void An_event_naming_another_proposals_objection_leaves_it_as_it_was()
    {
        var elsewhere = Guid.NewGuid();
        var objections = new Dictionary<Guid, Objection> { [ObjectionId] = Raised };

        Assert.Empty(Objection.Track(objections, new ObjectionWithdrawn(elsewhere, ObjectionId, Nurse.Id, Nurse.Group, null, Now), 3));
        Assert.Empty(Objection.Track(objections, Decided with { PriorityId = elsewhere }, 3));
        Assert.Equal(Raised, objections[ObjectionId]);
    }

    [Fact]
    public void When_withdrawing_another_proposals_objection_then_it_is_not_found() =>
        ThenRejected(RejectionKind.NotFound, () => WithdrawObjectionEndpoint.Decide(
            Given(Set), ObjectionId, Raised with { ProposalId = Guid.NewGuid() }, new WithdrawObjection(Nurse.Id, null, null), Nurse, Now));

    [Fact]
    public void When_amending_to_the_current_wording_then_it_is_invalid() =>
        ThenRejected(RejectionKind.Invalid, () => ProposeAmendmentEndpoint.Decide(Given(Set), new ProposeAmendment(Patient.Id, "Shorter waits in clinic", "Same", 1), Patient, AmendmentId, Now));

    [Fact]
    public void Given_an_accepted_amendment_the_wording_changes_and_every_earlier_wording_is_kept()
    {
        var accepted = AcceptAmendmentEndpoint.Decide(Given(Set, Amended), AmendmentId, new AcceptAmendment(Jenny.Id, "Better", 2), Jenny, Now.AddHours(1));

        var priority = Given(Set, Amended, accepted);

        Assert.Equal("Tell patients how long they will wait", priority.Statement);
        Assert.Equal(["Shorter waits in clinic", "Tell patients how long they will wait"], priority.Negotiation.Wordings.Select(w => w.Text));
        Assert.Equal((Patient.Id, Jenny.Id), (priority.Negotiation.Wordings[1].ProposedBy, priority.Negotiation.Wordings[1].AcceptedBy!.Value));
        Assert.Equal(Jenny.Id, priority.Negotiation.Wordings[0].ProposedBy);
    }

    [Fact]
    public void When_the_proposer_accepts_their_own_amendment_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => AcceptAmendmentEndpoint.Decide(Given(Set, Amended), AmendmentId, new AcceptAmendment(Patient.Id, null, 2), Patient, Now));

    [Fact]
    public void Given_a_rejected_amendment_when_accepting_it_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => AcceptAmendmentEndpoint.Decide(
            Given(Set, Amended, new AmendmentRejected(PriorityId, AmendmentId, Jenny.Id, Jenny.Group, "No", Now)), AmendmentId, new AcceptAmendment(Nurse.Id, null, 3), Nurse, Now));

    [Fact]
    public void When_rejecting_an_amendment_then_the_wording_stays()
    {
        var rejected = RejectAmendmentEndpoint.Decide(Given(Set, Amended), AmendmentId, new RejectAmendment(Jenny.Id, "Too narrow", 2), Jenny, Now);

        var priority = Given(Set, Amended, rejected);

        Assert.Equal("Shorter waits in clinic", priority.Statement);
        Assert.Equal(AmendmentStatus.Rejected, Assert.Single(priority.Negotiation.Amendments).Status);
    }

    [Fact]
    public void When_counter_proposing_then_an_alternative_is_set_and_linked_both_ways()
    {
        var alternative = Guid.NewGuid();

        var (original, set) = CounterProposeEndpoint.Decide(Given(Set), new CounterPropose(Nurse.Id, "More nurses in clinic", "Staffing", "Root cause", null), Nurse, alternative, Now);

        Assert.Equal(alternative, original.CounterProposalId);
        Assert.Equal((alternative, PriorityId, Nurse.Id), (set.PriorityId, set.CounterTo!.Value, set.SetBy));
        Assert.Equal([alternative], Given(Set, original).CounterProposals);
    }

    [Fact]
    public void When_merging_into_itself_then_it_is_invalid() =>
        ThenRejected(RejectionKind.Invalid, () => MergePriorityEndpoint.Decide(Given(Set), Given(Set), new MergePriority(Jenny.Id, PriorityId, null, 1), Jenny, Now));

    [Fact]
    public void When_merging_then_both_priorities_link_to_each_other()
    {
        var target = Given(Set with { PriorityId = Guid.NewGuid(), Statement = "Clinic communication" });

        var (merged, absorbed) = MergePriorityEndpoint.Decide(Given(Set), target, new MergePriority(Jenny.Id, target.Id, "Same idea", 1), Jenny, Now);

        Assert.Equal(target.Id, Given(Set, merged).MergedInto);
        Assert.Equal(PriorityStatus.Merged, Given(Set, merged).Status);
        Assert.Equal([PriorityId], Priority.Apply(absorbed, target).MergedFrom);
    }

    [Fact]
    public void When_merging_into_a_decided_priority_then_it_is_a_conflict()
    {
        var other = Guid.NewGuid();
        var decidedTarget = Given(Set with { PriorityId = other }, Decided with { PriorityId = other, AnswersObjections = [] });

        ThenRejected(RejectionKind.Conflict, () => MergePriorityEndpoint.Decide(Given(Set), decidedTarget, new MergePriority(Jenny.Id, other, null, 1), Jenny, Now));
    }

    [Fact]
    public void When_someone_other_than_the_setter_withdraws_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => WithdrawPriorityEndpoint.Decide(Given(Set), new WithdrawPriority(Nurse.Id, null, null), Nurse, Now));

    [Fact]
    public void When_the_setter_withdraws_then_no_further_move_is_accepted()
    {
        var withdrawn = WithdrawPriorityEndpoint.Decide(Given(Set), new WithdrawPriority(Jenny.Id, "Covered elsewhere", null), Jenny, Now);

        ThenRejected(RejectionKind.Conflict, () => EndorseEndpoint.Decide(Given(Set, withdrawn), null, new Endorse(Patient.Id, null, null), Patient, Now));
    }

    private static DecidePriority Decision(params Guid[] answersObjections) =>
        new(Nurse.Id, "agreed", "Everyone agreed", [Jenny.Id, Patient.Id], answersObjections, [], 2);

    [Fact]
    public void When_deciding_then_the_decision_answers_the_objections_it_names()
    {
        var decided = DecidePriorityEndpoint.Decide(Given(Set, Objected), Decision(ObjectionId), Nurse, [Jenny.Id, Patient.Id], [ObjectionId], Now, Guid.NewGuid());

        var priority = Given(Set, Objected, decided);

        Assert.Equal(PriorityStatus.Decided, priority.Status);
        Assert.Equal(DecisionOutcome.Agreed, priority.Decision!.Outcome);
        Assert.Equal([ObjectionId], decided.AnswersObjections);
        var objection = Assert.Single(ObjectionsAfter(Set, Objected, decided));
        Assert.False(objection.Open);
        Assert.True(objection.Answered);
    }

    [Fact]
    public void When_deciding_with_an_unregistered_decision_maker_then_it_is_not_found() =>
        ThenRejected(RejectionKind.NotFound, () => DecidePriorityEndpoint.Decide(Given(Set), Decision(), Nurse, [Jenny.Id], [], Now, Guid.NewGuid()));

    [Fact]
    public void When_a_decision_answers_an_objection_the_priority_never_had_then_it_is_not_found() =>
        ThenRejected(RejectionKind.NotFound, () => DecidePriorityEndpoint.Decide(Given(Set), Decision(Guid.NewGuid()), Nurse, [Jenny.Id, Patient.Id], [], Now, Guid.NewGuid()));

    [Fact]
    public void When_reopening_an_undecided_priority_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => ReopenDecisionEndpoint.Decide(Given(Set), new ReopenDecision(Jenny.Id, "New evidence", 1), Jenny, Now));

    [Fact]
    public void Given_a_reopened_decision_moves_are_accepted_again()
    {
        var reopened = ReopenDecisionEndpoint.Decide(Given(Set, Objected, Decided), new ReopenDecision(Patient.Id, "New evidence", 3), Patient, Now);
        var priority = Given(Set, Objected, Decided, reopened);

        Assert.Equal(PriorityStatus.Open, priority.Status);
        Assert.Null(priority.Decision);
        Assert.Equal(Patient.Id, EndorseEndpoint.Decide(priority, null, new Endorse(Patient.Id, null, null), Patient, Now).By);
    }
}
