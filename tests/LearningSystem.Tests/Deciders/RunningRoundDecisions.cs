using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using LearningSystem.Rounds.Publishing;
using LearningSystem.Rounds.Ranking;
using LearningSystem.Rounds.Shortlisting;
using LearningSystem.Rounds.Submitting;

namespace LearningSystem.Tests.Deciders;

public sealed class RunningRoundDecisions
{
    private static readonly DateTimeOffset Now = TestClock.Start;
    private static readonly Guid RoundId = Guid.Parse("d0000000-0000-4000-8000-000000000001");
    private static readonly Guid A = Guid.Parse("d0000000-0000-4000-8000-00000000000a");
    private static readonly Guid B = Guid.Parse("d0000000-0000-4000-8000-00000000000b");
    private static readonly Actor Patient = new(Guid.Parse("d0000000-0000-4000-8000-0000000000a1"), StakeholderGroup.Patient);
    private static readonly Actor Clinician = new(Guid.Parse("d0000000-0000-4000-8000-0000000000a2"), StakeholderGroup.Clinician);
    private static readonly Actor Manager = new(Guid.Parse("d0000000-0000-4000-8000-0000000000a3"), StakeholderGroup.Manager);

    private static readonly RoundOpened Opened = new(RoundId, "What should the clinic change first?", "Diabetes outpatients",
        [StakeholderGroup.Patient, StakeholderGroup.Clinician], [StakeholderGroup.Patient, StakeholderGroup.Clinician], Manager.Id, Manager.Group, Now);

    private static Round Given(params object[] events) =>
        events.Skip(1).Aggregate(Round.Create((RoundOpened)events[0]), (r, e) => e switch
        {
            PrioritySubmitted x => Round.Apply(x, r),
            InterimRankingSubmitted x => Round.Apply(x, r),
            ShortlistAgreed x => Round.Apply(x, r),
            WorkshopRankingRecorded x => Round.Apply(x, r),
            RoundPublished x => Round.Apply(x, r),
            _ => throw new ArgumentException(e.GetType().Name),
        });

    private static PrioritySubmitted Submitted(Guid priority) => new(RoundId, priority, Patient.Id, Patient.Group, Now);

    private static InterimRankingSubmitted Ranked(Actor by, params Guid[] ranking) => new(RoundId, by.Id, by.Group, ranking, false, Now);

    private static Round Shortlisted() => Given(Opened, Submitted(A), Submitted(B), Ranked(Patient, A, B), new ShortlistAgreed(RoundId, [A, B], Manager.Id, Manager.Group, Now));

    private static void ThenRejected(RejectionKind kind, Action when) => Assert.Equal(kind, Assert.Throws<Rejected>(when).Kind);

    [Fact]
    public void When_a_group_that_was_not_invited_ranks_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => SubmitInterimRankingEndpoint.Decide(Given(Opened, Submitted(A)), new SubmitInterimRanking(Manager.Id, [A]), Manager, Now));

    [Fact]
    public void When_ranking_a_priority_outside_the_round_then_it_is_not_found() =>
        ThenRejected(RejectionKind.NotFound, () => SubmitInterimRankingEndpoint.Decide(Given(Opened, Submitted(A)), new SubmitInterimRanking(Patient.Id, [A, B]), Patient, Now));

    [Fact]
    public void Given_a_ranking_when_the_participant_ranks_again_then_it_is_a_correction_that_replaces_it()
    {
        var round = Given(Opened, Submitted(A), Submitted(B), Ranked(Patient, A, B));

        var correction = SubmitInterimRankingEndpoint.Decide(round, new SubmitInterimRanking(Patient.Id, [B]), Patient, Now);

        Assert.True(correction.Correction);
        Assert.Equal([B], Assert.Single(Round.Apply(correction, round).InterimRankings).Ranking);
    }

    [Fact]
    public void When_shortlisting_before_anyone_ranked_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => AgreeShortlistEndpoint.Decide(Given(Opened, Submitted(A)), new AgreeShortlist(Manager.Id, 5), Manager, Now));

    [Fact]
    public void When_shortlisting_then_the_highest_combined_scores_are_kept()
    {
        var round = Given(Opened, Submitted(A), Submitted(B), Ranked(Patient, B, A), Ranked(Clinician, B));

        var shortlist = AgreeShortlistEndpoint.Decide(round, new AgreeShortlist(Manager.Id, 1), Manager, Now);

        Assert.Equal([B], shortlist.Shortlist);
    }

    [Fact]
    public void When_submitting_a_priority_after_the_shortlist_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => SubmitPriority.Decide(Shortlisted(), Guid.NewGuid(), Patient, Now));

    [Fact]
    public void When_a_workshop_ranking_leaves_out_a_shortlisted_priority_then_it_is_invalid() =>
        ThenRejected(RejectionKind.Invalid, () => RecordWorkshopRankingEndpoint.Decide(Shortlisted(), new RecordWorkshopRanking(Manager.Id, 1, "table 1", [A]), Manager, Now));

    [Fact]
    public void When_recording_workshop_rankings_before_the_shortlist_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => RecordWorkshopRankingEndpoint.Decide(Given(Opened), new RecordWorkshopRanking(Manager.Id, 1, "table 1", [A]), Manager, Now));

    [Fact]
    public void When_a_required_group_has_not_ranked_then_publishing_is_refused_naming_it()
    {
        var round = Round.Apply(new WorkshopRankingRecorded(RoundId, 1, "table 1", [A, B], false, Manager.Id, Manager.Group, Now), Shortlisted());

        var rejected = Assert.Throws<Rejected>(() => PublishRoundEndpoint.Decide(round, Manager, Now));

        Assert.Equal(RejectionKind.Conflict, rejected.Kind);
        Assert.Equal(new[] { "clinician" }, rejected.Facts["missingGroups"]);
    }

    [Fact]
    public void When_publishing_before_the_workshop_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => PublishRoundEndpoint.Decide(Round.Apply(Ranked(Clinician, A), Shortlisted()), Manager, Now));

    [Fact]
    public void When_publishing_then_the_final_sessions_lowest_summed_rank_comes_first()
    {
        var round = new object[]
        {
            Ranked(Clinician, A),
            new WorkshopRankingRecorded(RoundId, 1, "table 1", [A, B], false, Manager.Id, Manager.Group, Now),
            new WorkshopRankingRecorded(RoundId, 2, "table 1", [B, A], false, Manager.Id, Manager.Group, Now),
            new WorkshopRankingRecorded(RoundId, 2, "table 2", [B, A], false, Manager.Id, Manager.Group, Now),
        }.Aggregate(Shortlisted(), (r, e) => e switch
        {
            InterimRankingSubmitted x => Round.Apply(x, r),
            WorkshopRankingRecorded x => Round.Apply(x, r),
            _ => r,
        });

        var published = PublishRoundEndpoint.Decide(round, Manager, Now);

        Assert.Equal([B, A], published.RankedList);
        ThenRejected(RejectionKind.Conflict, () => SubmitInterimRankingEndpoint.Decide(Round.Apply(published, round), new SubmitInterimRanking(Patient.Id, [A]), Patient, Now));
    }
}
