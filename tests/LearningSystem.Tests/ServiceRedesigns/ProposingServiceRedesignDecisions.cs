using LearningSystem.PersonalData;
using LearningSystem.Feedback;
using LearningSystem.Participants;
using LearningSystem.ServiceRedesigns;
using LearningSystem.ServiceRedesigns.Proposing;

namespace LearningSystem.Tests.ServiceRedesigns;

public sealed class ProposingServiceRedesignDecisions
{
    private static readonly Guid RedesignId = Guid.Parse("a1b2c3d4-0000-4000-8000-000000000001");
    private static readonly Guid Jenny = Guid.Parse("a1b2c3d4-0000-4000-8000-000000000002");
    private static readonly Guid Feedback = Guid.Parse("a1b2c3d4-0000-4000-8000-000000000003");
    private static readonly DateTimeOffset Now = TestClock.Start;

    private static readonly ParticipantRegistered JennyRegistered = new(Jenny, "Jenny", StakeholderGroup.Student, null, [ConsentScope.ServiceImprovement], Now.AddDays(-7));

    private static readonly PatientFeedbackRecorded FeedbackRecorded = new(
        Feedback, "feedback:1", "Clinic", "kiosk", Now.AddDays(-3), FeedbackRating.Poor, "Long wait", null, [ConsentScope.ServiceImprovement], Now.AddDays(-3));

    private static ProposeServiceRedesign Command(params Guid[] evidence) =>
        new(" Tell patients about delays ", "Nobody knows how long.", "Text when late.", "Clinic", Jenny, evidence);

    private static ServiceRedesignProposed Decide(ProposeServiceRedesign command, ParticipantRegistered[] proposer, PatientFeedbackRecorded[] feedback) =>
        ProposeServiceRedesignEndpoint.Decide(
            RedesignId,
            command,
            proposer.Select(Participant.Create).SingleOrDefault(),
            feedback.Select(PatientFeedback.Create).ToArray(),
            Now);

    [Fact]
    public void Given_a_registered_proposer_and_recorded_feedback_when_proposing_then_the_redesign_is_proposed()
    {
        var then = Decide(Command(Feedback, Feedback), [JennyRegistered], [FeedbackRecorded]);

        Assert.Equal(RedesignId, then.RedesignId);
        Assert.Equal("Tell patients about delays", then.Title);
        Assert.Equal(Jenny, then.ProposedBy);
        Assert.Equal(StakeholderGroup.Student, then.ProposerGroup);
        Assert.Equal([Feedback], then.Evidence);
        Assert.Equal(Now, then.ProposedAt);
    }

    [Fact]
    public void Given_no_registered_proposer_when_proposing_then_it_is_rejected_as_not_found()
    {
        var rejected = Assert.Throws<Rejected>(() => Decide(Command(), [], []));

        Assert.Equal(RejectionKind.NotFound, rejected.Kind);
        Assert.Equal("proposedBy", rejected.Field);
    }

    [Fact]
    public void Given_evidence_that_was_never_recorded_when_proposing_then_it_is_rejected_naming_it()
    {
        var missing = Guid.Parse("a1b2c3d4-0000-4000-8000-0000000000ff");

        var rejected = Assert.Throws<Rejected>(() => Decide(Command(Feedback, missing), [JennyRegistered], [FeedbackRecorded]));

        Assert.Equal(RejectionKind.NotFound, rejected.Kind);
        Assert.Equal("evidence", rejected.Field);
        Assert.Contains(missing.ToString(), rejected.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Feedback.ToString(), rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_feedback_consented_only_for_research_when_citing_it_then_it_is_rejected()
    {
        var researchOnly = FeedbackRecorded with { Consent = [ConsentScope.Research] };

        var rejected = Assert.Throws<Rejected>(() => Decide(Command(Feedback), [JennyRegistered], [researchOnly]));

        Assert.Equal(RejectionKind.Invalid, rejected.Kind);
        Assert.Equal("evidence", rejected.Field);
    }

    [Fact]
    public void Given_a_proposal_the_redesign_holds_references_not_copies_of_personal_text()
    {
        var proposed = Decide(Command(Feedback), [JennyRegistered], [FeedbackRecorded]);

        var redesign = ServiceRedesign.Create(proposed);

        Assert.Equal(Jenny, redesign.ProposedBy);
        Assert.Equal([Feedback], redesign.Evidence);
        Assert.DoesNotContain("Jenny", System.Text.Json.JsonSerializer.Serialize(redesign), StringComparison.Ordinal);
        Assert.DoesNotContain("Long wait", System.Text.Json.JsonSerializer.Serialize(redesign), StringComparison.Ordinal);
    }
}
