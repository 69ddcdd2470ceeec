using JasperFx.Events;
using LearningSystem.Participants;
using Marten;
using Marten.Events;
using Marten.Events.Projections;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Storage;

namespace LearningSystem.Rounds.Ranking;

/// <summary>
/// One respondent's interim ranking in one round as it stands (a correction replaces it), a document of its
/// own: a ranking adds or replaces one row instead of rewriting the round, whatever the number of respondents.
/// <c>Version</c> is the round's version the ranking took it to.
/// </summary>
public sealed record InterimBallot(Guid Id, Guid RoundId, Guid By, StakeholderGroup Group, IReadOnlyList<Guid> Ranking, bool Corrected, long Version, DateTimeOffset At)
{
    /// <summary>Fixed by round and respondent: each respondent has one ranking in a round.</summary>
    public static Guid IdFor(Guid round, Guid participant) => PairId.Of(round, participant);

    public static InterimBallot From(InterimRankingSubmitted e, long version) =>
        new(IdFor(e.RoundId, e.By), e.RoundId, e.By, e.ByGroup, e.Ranking, e.Correction, version, e.At);

    public InterimRanking AsRanking() => new(By, Group, Ranking);
}

/// <summary>Every respondent's interim ranking as it stands, kept as rankings are submitted.</summary>
public sealed partial class BallotBox : EventProjection
{
    public static InterimBallot Create(IEvent<InterimRankingSubmitted> e) => InterimBallot.From(e.Data, e.Version);
}

/// <summary>The interim rankings that count in a round: each respondent's latest.</summary>
public static class Ballots
{
    /// <summary>As the round stands now, from the ballots.</summary>
    public static async Task<IReadOnlyList<InterimRanking>> CurrentAsync(IQuerySession session, Guid round, CancellationToken ct) =>
        (await session.Query<InterimBallot>().Where(b => b.RoundId == round).OrderBy(b => b.Version).ToListAsync(ct)).Select(b => b.AsRanking()).ToArray();

    /// <summary>
    /// As they stood at the round's version <paramref name="round"/> was folded to, from the round's own
    /// events: time travel reads the history, not the ballots as they are now.
    /// </summary>
    public static async Task<IReadOnlyList<InterimRanking>> AsItStoodAsync(IQuerySession session, Round round, CancellationToken ct)
    {
        var submitted = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == round.Id && e.Version <= round.Version && e.EventTypesAre(typeof(InterimRankingSubmitted)))
            .OrderBy(e => e.Version)
            .ToListAsync(ct);
        return Latest(submitted.Select(e => (InterimRankingSubmitted)e.Data));
    }

    /// <summary>Now when <paramref name="asked"/> is false; otherwise as they stood at the round's version.</summary>
    public static Task<IReadOnlyList<InterimRanking>> ForAsync(IQuerySession session, Round round, bool asked, CancellationToken ct) =>
        asked ? AsItStoodAsync(session, round, ct) : CurrentAsync(session, round.Id, ct);

    /// <summary>Pure: each respondent's latest ranking, in the order they first ranked.</summary>
    public static IReadOnlyList<InterimRanking> Latest(IEnumerable<InterimRankingSubmitted> submitted) =>
        submitted.GroupBy(e => e.By).Select(g => g.Last()).Select(e => new InterimRanking(e.By, e.ByGroup, e.Ranking)).ToArray();
}

public static class ListInterimRankingsEndpoint
{
    /// <summary>
    /// Each respondent's interim ranking as it stands, in the order the rankings were last submitted,
    /// <c>limit</c> at a time after the round's version <c>after</c>; a Link header points to the rest.
    /// </summary>
    [WolverineGet("/api/rounds/{id}/interim-rankings", OperationId = "listInterimRankings"), Tags(RoundsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IReadOnlyList<InterimBallot>?> Get(Guid id, int? limit, long? after, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var take = Paging.Limit(limit);
        var from = after ?? 0;
        var ballots = await session.Query<InterimBallot>()
            .Where(b => b.RoundId == id && b.Version > from)
            .OrderBy(b => b.Version)
            .Take(take + 1)
            .ToListAsync(ct);
        if (ballots.Count == 0 && await session.LoadAsync<Round>(id, ct) is null)
        {
            return null;
        }

        return Paging.ByVersion(http, ballots, take, b => b.Version);
    }
}
