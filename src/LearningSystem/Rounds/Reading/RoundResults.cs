using LearningSystem.Priorities;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Rounds.Reading;

public sealed record WorkshopSession(int Session, IReadOnlyList<string> SmallGroups, IReadOnlyList<WorkshopScore> Scores);

public sealed record PublishedPriority(int Position, Guid Priority, string Statement);

/// <summary>The round's results; <c>SetAside</c> names the priorities that left the round and earn nothing in its scores.</summary>
public sealed record RoundResultsView(
    Guid Id, string Question, RoundStage Stage, InterimResult Interim, IReadOnlyList<Guid> Shortlist,
    IReadOnlyList<WorkshopSession> Workshop, IReadOnlyList<PublishedPriority> Published, IReadOnlyList<SetAsidePriority> SetAside);

public static class RoundResultsEndpoint
{
    public static RoundResultsView Compose(Round round, RoundStanding standing, IReadOnlyList<InterimRanking> rankings, IReadOnlyDictionary<Guid, string> statements)
    {
        var interim = round.ScoreInterim(standing, rankings);
        var interimOrder = interim.Combined.Select(c => c.Priority).ToArray();
        var workshop = round.WorkshopRankings
            .GroupBy(r => r.Session)
            .OrderBy(g => g.Key)
            .Select(g => new WorkshopSession(g.Key, g.Select(r => r.SmallGroup).Order(StringComparer.Ordinal).ToArray(), Scoring.ScoreWorkshop(g, interimOrder).Where(s => standing.IsLive(s.Priority)).ToArray()))
            .ToArray();
        var published = round.Published.Select((p, i) => new PublishedPriority(i + 1, p, statements.GetValueOrDefault(p, ""))).ToArray();
        return new RoundResultsView(round.Id, round.Question, round.Stage, interim, round.Shortlist, workshop, published, standing.SetAside);
    }

    /// <summary>Scores, workshop and published list, now or as they stood at <c>asOf</c> or the round's <c>version</c>.</summary>
    [WolverineGet("/api/rounds/{id}/results", OperationId = "getRoundResults"), Tags(RoundsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<RoundResultsView?> Get(Guid id, DateTimeOffset? asOf, long? version, IQuerySession session, CancellationToken ct)
    {
        var round = await AsOf.LoadAsync<Round>(session, id, asOf, version, ct);
        if (round is null)
        {
            return null;
        }

        var statements = (await session.LoadManyAsync<Priority>(ct, round.Published)).ToDictionary(p => p.Id, p => p.Statement);
        if (asOf is { } at)
        {
            // As of a time, each published statement is the wording it had then (one session, so one at a time).
            foreach (var published in round.Published)
            {
                if (await session.Events.AggregateStreamAsync<Priority>(published, timestamp: at, token: ct) is { } then)
                {
                    statements[published] = then.Statement;
                }
            }
        }

        // The priorities' standing as it was when the round stood so.
        var when = asOf ?? (version is { } v ? await TimeOfAsync(session, id, v, ct) : null);
        var standing = await RoundStanding.LoadAsync(session, round.Priorities, when, ct);
        var rankings = await Ranking.Ballots.ForAsync(session, round, AsOf.Asked(asOf, version), ct);
        return Compose(round, standing, rankings, statements);
    }

    private static async Task<DateTimeOffset?> TimeOfAsync(IQuerySession session, Guid id, long version, CancellationToken ct)
    {
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == id && e.Version <= version)
            .OrderByDescending(e => e.Version)
            .Take(1)
            .ToListAsync(ct);
        return events.Count == 0 ? null : events[0].Timestamp;
    }
}
