using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using LearningSystem.Rounds.Publishing;
using LearningSystem.Rounds.Ranking;
using LearningSystem.Rounds.Shortlisting;
using LearningSystem.Rounds.Submitting;

using static LearningSystem.Tests.GivenWhenThen;

namespace LearningSystem.Tests.Rounds;

public sealed class RunningRoundDecisions
{
    private static readonly DateTimeOffset Now = TestClock.Start;
    private static readonly Guid RoundId = Guid.Parse("d0000000-0000-4000-8000-000000000001");
    private static readonly Guid A = Guid.Parse("d0000000-0000-4000-8000-00000000000a");
    private static readonly Guid B = Guid.Parse("d0000000-0000-4000-8000-00000000000b");
    private static readonly Guid C = Guid.Parse("d0000000-0000-4000-8000-00000000000c");
    private static readonly Actor Patient = new(Guid.Parse("d0000000-0000-4000-8000-0000000000a1"), StakeholderGroup.Patient);
    private static readonly Actor Clinician = new(Guid.Parse("d0000000-0000-4000-8000-0000000000a2"), StakeholderGroup.Clinician);
    private static readonly Actor Manager = new(Guid.Parse("d0000000-0000-4000-8000-0000000000a3"), StakeholderGroup.Manager);

    private static readonly RoundOpened Opened = new(RoundId, "What should the clinic change first?", "Diabetes outpatients",
        [StakeholderGroup.Patient, StakeholderGroup.Clinician], [StakeholderGroup.Patient, StakeholderGroup.Clinician], Manager.Id, Manager.Group, Now);

    /// <summary>
    /// A round, the standing of its priorities and the rankings submitted, folded from the round's events and
    /// its priorities' status events.
    /// </summary>
    private sealed record Scene(Round Round, RoundStanding Standing, IReadOnlyList<InterimRankingSubmitted> Submitted)
    {
        public IReadOnlyList<InterimRanking> Rankings => Ballots.Latest(Submitted);

        public InterimBallot? BallotOf(Actor by) => Submitted.LastOrDefault(s => s.By == by.Id) is { } s ? InterimBallot.From(s, 0) : null;
    }

    private static Scene Given(params object[] events)
    {
        var round = Round.Create((RoundOpened)events[0]);
        var standing = new Dictionary<Guid, SetAsidePriority?>();
        foreach (var e in events.Skip(1))
        {
            round = e switch
            {
                PrioritySubmitted x => Round.Apply(x, round),
                InterimRankingSubmitted x => Round.Apply(x, round),
                ShortlistAgreed x => Round.Apply(x, round),
                WorkshopRankingRecorded x => Round.Apply(x, round),
                RoundPublished x => Round.Apply(x, round),
                _ => round,
            };
            if (PriorityOf(e) is { } priority)
            {
                standing[priority] = RoundStanding.Evolve(standing.GetValueOrDefault(priority), priority, e);
            }
        }

        return new Scene(round, new RoundStanding(standing.Values.OfType<SetAsidePriority>().ToArray()), events.OfType<InterimRankingSubmitted>().ToArray());
    }

    private static Guid? PriorityOf(object e) => e switch
    {
        PriorityWithdrawn x => x.PriorityId,
        PriorityMerged x => x.PriorityId,
        PriorityDecided x => x.PriorityId,
        DecisionReopened x => x.PriorityId,
        RoundOpened or PrioritySubmitted or InterimRankingSubmitted or ShortlistAgreed or WorkshopRankingRecorded or RoundPublished => null,
        _ => throw new ArgumentException(e.GetType().Name),
    };

    private static PrioritySubmitted Submitted(Guid priority) => new(RoundId, priority, Patient.Id, Patient.Group, Now);

    private static InterimRankingSubmitted Ranked(Actor by, params Guid[] ranking) => new(RoundId, by.Id, by.Group, ranking, false, Now);

    private static ShortlistAgreed ShortlistOf(params Guid[] shortlist) => new(RoundId, shortlist, Manager.Id, Manager.Group, Now);

    private static WorkshopRankingRecorded Workshop(int session, string table, params Guid[] ranking) => new(RoundId, session, table, ranking, false, Manager.Id, Manager.Group, Now);

    private static PriorityWithdrawn Withdrawn(Guid priority) => new(priority, Patient.Id, Patient.Group, "No longer needed", Now);

    private static PriorityMerged Merged(Guid priority, Guid into) => new(priority, into, Manager.Id, Manager.Group, "Same question", Now);

    private static PriorityDecided Decided(Guid priority, DecisionOutcome outcome) =>
        new(priority, outcome, "Weighed", [Manager.Id], [], [], Manager.Id, Manager.Group, Now, Guid.NewGuid());

    private static DecisionReopened Reopened(Guid priority) => new(priority, Manager.Id, Manager.Group, "New evidence", Now);

    private static readonly object[] ShortlistedEvents = [Opened, Submitted(A), Submitted(B), Ranked(Patient, A, B), Ranked(Clinician, A, B), ShortlistOf(A, B)];

    private static Scene Shortlisted(params object[] then) => Given([.. ShortlistedEvents, .. then]);

    private static InterimRankingSubmitted Rank(Scene g, Actor by, params Guid[] ranking) =>
        SubmitInterimRankingEndpoint.Decide(g.Round, g.Standing, g.BallotOf(by), new SubmitInterimRanking(by.Id, ranking), by, Now);

    private static ShortlistAgreed Shortlist(Scene g, int size) => AgreeShortlistEndpoint.Decide(g.Round, g.Standing, g.Rankings, new AgreeShortlist(Manager.Id, size), Manager, Now);

    private static RoundPublished Publish(Scene g) => PublishRoundEndpoint.Decide(g.Round, g.Standing, g.Rankings, Manager, Now);

    [Fact]
    public void When_a_group_that_was_not_invited_ranks_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => Rank(Given(Opened, Submitted(A)), Manager, A));

    [Fact]
    public void When_ranking_a_priority_outside_the_round_then_it_is_not_found() =>
        ThenRejected(RejectionKind.NotFound, () => Rank(Given(Opened, Submitted(A)), Patient, A, B));

    [Fact]
    public void Given_a_ranking_when_the_participant_ranks_again_then_it_is_a_correction_that_replaces_it()
    {
        var given = Given(Opened, Submitted(A), Submitted(B), Ranked(Patient, A, B));

        var correction = Rank(given, Patient, B);

        Assert.True(correction.Correction);
        Assert.Equal([B], Assert.Single(Ballots.Latest([.. given.Submitted, correction])).Ranking);
        Assert.Equal(1, Round.Apply(correction, given.Round).Respondents);
    }

    [Theory]
    [InlineData("withdrawn")]
    [InlineData("merged")]
    [InlineData("rejected")]
    public void Given_a_priority_that_left_the_round_when_ranking_it_then_it_is_a_conflict_naming_it_and_its_state(string state)
    {
        object left = state switch
        {
            "withdrawn" => Withdrawn(B),
            "merged" => Merged(B, A),
            _ => Decided(B, DecisionOutcome.Rejected),
        };

        var rejected = ThenRejected(RejectionKind.Conflict, () => Rank(Given(Opened, Submitted(A), Submitted(B), left), Patient, A, B));

        Assert.Contains(B.ToString(), rejected.Message, StringComparison.Ordinal);
        Assert.Contains(state, rejected.Message, StringComparison.Ordinal);
        var setAside = Assert.Single(Assert.IsType<SetAsidePriority[]>(rejected.Facts["setAside"]));
        Assert.Equal(B, setAside.Priority);
        Assert.Equal(state == "merged" ? A : null, setAside.MergedInto);
    }

    [Fact]
    public void Given_a_rejected_priority_that_was_reopened_or_agreed_again_when_ranking_it_then_it_counts()
    {
        Rank(Given(Opened, Submitted(A), Submitted(B), Decided(B, DecisionOutcome.Rejected), Reopened(B)), Patient, A, B);
        Rank(Given(Opened, Submitted(A), Submitted(B), Decided(B, DecisionOutcome.Rejected), Reopened(B), Decided(B, DecisionOutcome.Agreed)), Patient, A, B);
        Rank(Given(Opened, Submitted(A), Submitted(B), Decided(B, DecisionOutcome.Agreed)), Patient, A, B);
    }

    [Fact]
    public void When_shortlisting_before_anyone_ranked_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => Shortlist(Given(Opened, Submitted(A)), 5));

    [Fact]
    public void When_shortlisting_then_the_highest_combined_scores_are_kept() =>
        Assert.Equal([B], Shortlist(Given(Opened, Submitted(A), Submitted(B), Ranked(Patient, B, A), Ranked(Clinician, B)), 1).Shortlist);

    [Theory]
    [InlineData("withdrawn")]
    [InlineData("merged")]
    [InlineData("rejected")]
    public void Given_rankings_of_a_priority_that_since_left_the_round_when_shortlisting_then_it_is_skipped_and_gives_its_points_to_no_one(string state)
    {
        object left = state switch
        {
            "withdrawn" => Withdrawn(A),
            "merged" => Merged(A, B),
            _ => Decided(A, DecisionOutcome.Rejected),
        };
        // A is everyone's first choice, then leaves; C's place below it is not moved up.
        var given = Given(Opened, Submitted(A), Submitted(B), Submitted(C), Ranked(Patient, A, C, B), Ranked(Clinician, A, B, C), left);

        var shortlist = Shortlist(given, 2);

        Assert.DoesNotContain(A, shortlist.Shortlist);
        Assert.Equal(2, shortlist.Shortlist.Count);
        var scores = given.Round.ScoreInterim(given.Standing, given.Rankings);
        Assert.Equal([B, C], scores.Combined.Select(c => c.Priority).Order());
        // Merged into B, yet B's points are only its own: 8 from the clinician and 9 from the patient.
        Assert.Equal(17, scores.Combined.Single(c => c.Priority == B).Points);
    }

    [Fact]
    public void Given_a_priority_that_was_rejected_then_agreed_again_when_shortlisting_then_it_counts_once_more()
    {
        var given = Given(Opened, Submitted(A), Submitted(B), Ranked(Patient, A, B), Ranked(Clinician, A, B),
            Decided(A, DecisionOutcome.Rejected), Reopened(A), Decided(A, DecisionOutcome.Agreed));

        Assert.Equal([A], Shortlist(given, 1).Shortlist);
    }

    [Fact]
    public void When_every_priority_left_the_round_then_shortlisting_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => Shortlist(Given(Opened, Submitted(A), Ranked(Patient, A), Withdrawn(A)), 1));

    [Fact]
    public void When_submitting_a_priority_after_the_shortlist_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => SubmitPriority.Decide(Shortlisted().Round, Guid.NewGuid(), Patient, Now));

    [Fact]
    public void When_a_workshop_ranking_leaves_out_a_shortlisted_priority_then_it_is_invalid()
    {
        var given = Shortlisted();
        ThenRejected(RejectionKind.Invalid, () => RecordWorkshopRankingEndpoint.Decide(given.Round, given.Standing, new RecordWorkshopRanking(Manager.Id, 1, "table 1", [A]), Manager, Now));
    }

    [Fact]
    public void When_recording_workshop_rankings_before_the_shortlist_then_it_is_a_conflict()
    {
        var given = Given(Opened);
        ThenRejected(RejectionKind.Conflict, () => RecordWorkshopRankingEndpoint.Decide(given.Round, given.Standing, new RecordWorkshopRanking(Manager.Id, 1, "table 1", [A]), Manager, Now));
    }

    [Fact]
    public void Given_a_shortlisted_priority_that_left_the_round_when_recording_a_workshop_ranking_then_it_is_a_conflict_naming_it()
    {
        var given = Shortlisted(Merged(B, A));

        var rejected = ThenRejected(RejectionKind.Conflict,
            () => RecordWorkshopRankingEndpoint.Decide(given.Round, given.Standing, new RecordWorkshopRanking(Manager.Id, 1, "table 1", [A, B]), Manager, Now));

        Assert.Contains($"{B} (merged into {A})", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void When_a_required_group_has_not_ranked_then_publishing_is_refused_naming_it()
    {
        var given = Given(Opened, Submitted(A), Submitted(B), Ranked(Patient, A, B), ShortlistOf(A, B), Workshop(1, "table 1", A, B));

        var rejected = ThenRejected(RejectionKind.Conflict, () => Publish(given));

        Assert.Equal(new[] { "clinician" }, rejected.Facts["missingGroups"]);
    }

    [Fact]
    public void When_publishing_before_the_workshop_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => Publish(Shortlisted()));

    [Fact]
    public void When_publishing_then_the_final_sessions_lowest_summed_rank_comes_first()
    {
        var given = Shortlisted(Workshop(1, "table 1", A, B), Workshop(2, "table 1", B, A), Workshop(2, "table 2", B, A));

        var published = Publish(given);

        Assert.Equal([B, A], published.RankedList);
        ThenRejected(RejectionKind.Conflict, () => Rank(given with { Round = Round.Apply(published, given.Round) }, Patient, A));
    }

    [Theory]
    [InlineData("withdrawn")]
    [InlineData("merged")]
    [InlineData("rejected")]
    public void Given_a_shortlisted_priority_that_left_after_the_workshop_when_publishing_then_it_is_refused_naming_it(string state)
    {
        object left = state switch
        {
            "withdrawn" => Withdrawn(B),
            "merged" => Merged(B, A),
            _ => Decided(B, DecisionOutcome.Rejected),
        };

        var rejected = ThenRejected(RejectionKind.Conflict, () => Publish(Shortlisted(Workshop(1, "table 1", B, A), left)));

        Assert.Contains(B.ToString(), rejected.Message, StringComparison.Ordinal);
        Assert.Equal(B, Assert.Single(Assert.IsType<SetAsidePriority[]>(rejected.Facts["setAside"])).Priority);
    }

    [Fact]
    public void Given_a_shortlisted_priority_that_left_when_the_shortlist_is_agreed_again_then_only_live_priorities_are_published()
    {
        var given = Given(Opened, Submitted(A), Submitted(B), Submitted(C), Ranked(Patient, A, B, C), Ranked(Clinician, B, A, C), ShortlistOf(A, B),
            Workshop(1, "table 1", B, A), Withdrawn(B));

        var again = Shortlist(given, 2);
        Assert.Equal([A, C], again.Shortlist);
        var reshortlisted = given with { Round = Round.Apply(again, given.Round) };
        Assert.Empty(reshortlisted.Round.WorkshopRankings);
        ThenRejected(RejectionKind.Conflict, () => Publish(reshortlisted));

        var workshop = RecordWorkshopRankingEndpoint.Decide(reshortlisted.Round, reshortlisted.Standing, new RecordWorkshopRanking(Manager.Id, 1, "table 1", [C, A]), Manager, Now);
        var published = Publish(reshortlisted with { Round = Round.Apply(workshop, reshortlisted.Round) });

        Assert.Equal([C, A], published.RankedList);
    }

    [Fact]
    public void Given_a_shortlisted_priority_that_was_rejected_then_reopened_when_publishing_then_it_is_published()
    {
        var published = Publish(Shortlisted(Workshop(1, "table 1", B, A), Decided(B, DecisionOutcome.Rejected), Reopened(B)));

        Assert.Equal([B, A], published.RankedList);
    }

    [Fact]
    public void Given_a_published_round_when_agreeing_a_shortlist_then_it_is_a_conflict()
    {
        var given = Shortlisted(Workshop(1, "table 1", A, B));
        given = given with { Round = Round.Apply(Publish(given), given.Round) };

        ThenRejected(RejectionKind.Conflict, () => Shortlist(given, 1));
    }
}
