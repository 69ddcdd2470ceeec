using LearningSystem.Participants;

namespace LearningSystem.Rounds;

/// <summary>A James Lind Alliance priority-setting round: open for priorities and interim ranking, shortlisted, then published.</summary>
public enum RoundStage
{
    Open,
    Shortlisted,
    Published,
}

public sealed record RoundOpened(
    Guid RoundId, string Question, string Scope, IReadOnlyList<StakeholderGroup> RequiredGroups, IReadOnlyList<StakeholderGroup> InvitedGroups,
    Guid OpenedBy, StakeholderGroup OpenedByGroup, DateTimeOffset At);

public sealed record PrioritySubmitted(Guid RoundId, Guid PriorityId, Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

/// <summary>Ranks up to ten priorities, best first. A correction replaces the participant's earlier ranking.</summary>
public sealed record InterimRankingSubmitted(Guid RoundId, Guid By, StakeholderGroup ByGroup, IReadOnlyList<Guid> Ranking, bool Correction, DateTimeOffset At);

public sealed record ShortlistAgreed(Guid RoundId, IReadOnlyList<Guid> Shortlist, Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

/// <summary>One small group's ranking in one session of the final workshop (nominal group technique).</summary>
public sealed record WorkshopRankingRecorded(
    Guid RoundId, int Session, string SmallGroup, IReadOnlyList<Guid> Ranking, bool Correction, Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

public sealed record RoundPublished(Guid RoundId, IReadOnlyList<Guid> RankedList, Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

public sealed record InterimRanking(Guid By, StakeholderGroup Group, IReadOnlyList<Guid> Ranking);

public sealed record WorkshopRanking(int Session, string SmallGroup, IReadOnlyList<Guid> Ranking);

/// <summary>
/// A round as it stands. Kept inline, so it is also its view. It counts its respondents; their rankings are
/// kept one document per respondent (<see cref="Ranking.InterimBallot"/>), so that a ranking never rewrites
/// a list that grows with the survey.
/// </summary>
public sealed partial record Round(
    Guid Id, string Question, string Scope, IReadOnlyList<StakeholderGroup> RequiredGroups, IReadOnlyList<StakeholderGroup> InvitedGroups,
    Guid OpenedBy, DateTimeOffset OpenedAt)
{
    public long Version { get; init; }
    public RoundStage Stage { get; init; } = RoundStage.Open;
    public IReadOnlyList<Guid> Priorities { get; init; } = [];
    /// <summary>How many respondents have ranked; their rankings are at <c>/interim-rankings</c>.</summary>
    public int Respondents { get; init; }
    public IReadOnlyList<Guid> Shortlist { get; init; } = [];
    public IReadOnlyList<WorkshopRanking> WorkshopRankings { get; init; } = [];
    public IReadOnlyList<Guid> Published { get; init; } = [];

    public static Round Create(RoundOpened e) =>
        new(e.RoundId, e.Question, e.Scope, e.RequiredGroups, e.InvitedGroups, e.OpenedBy, e.At);

    public static Round Apply(PrioritySubmitted e, Round r) => r with { Priorities = [.. r.Priorities, e.PriorityId] };

    public static Round Apply(InterimRankingSubmitted e, Round r) => e.Correction ? r : r with { Respondents = r.Respondents + 1 };

    // A shortlist agreed again (after a shortlisted priority left the round) keeps only the workshop rankings that order it.
    public static Round Apply(ShortlistAgreed e, Round r) => r with
    {
        Stage = RoundStage.Shortlisted,
        Shortlist = e.Shortlist,
        WorkshopRankings = r.WorkshopRankings.Where(w => w.Ranking.Count == e.Shortlist.Count && !w.Ranking.Except(e.Shortlist).Any()).ToArray(),
    };

    public static Round Apply(WorkshopRankingRecorded e, Round r) =>
        r with
        {
            WorkshopRankings = [.. r.WorkshopRankings.Where(x => x.Session != e.Session || x.SmallGroup != e.SmallGroup), new WorkshopRanking(e.Session, e.SmallGroup, e.Ranking)],
        };

    public static Round Apply(RoundPublished e, Round r) => r with { Stage = RoundStage.Published, Published = e.RankedList };

    public void EnsureStage(RoundStage stage, string doing) => EnsureStage([stage], doing);

    public void EnsureStage(IReadOnlyList<RoundStage> stages, string doing)
    {
        if (!stages.Contains(Stage))
        {
            throw Rejected.Conflict(
                $"Round {Id} is {Stage.ToString().ToLowerInvariant()}; {doing} needs it {string.Join(" or ", stages.Select(s => s.ToString().ToLowerInvariant()))}.");
        }
    }

    /// <summary>The interim scores of the priorities that still count; rankings of set-aside ones earn nothing.</summary>
    public InterimResult ScoreInterim(RoundStanding standing, IReadOnlyList<InterimRanking> rankings) => Scoring.ScoreInterim(standing.Live(Priorities), rankings);
}
