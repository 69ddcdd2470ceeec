using System.Globalization;
using LearningSystem.Attribution;
using LearningSystem.Curriculum;
using LearningSystem.History;
using LearningSystem.Negotiating;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using LearningSystem.ServiceRedesigns;
using Marten;
using Marten.Linq.MatchesSql;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Finding.People;

/// <summary>
/// One act in a negotiation or a round: what was done (<c>move</c>, as the timelines name it), by whom and in which
/// stakeholder group at that moment, on what (its kind, id, title and the version the act took it to), why, and when.
/// </summary>
public sealed record ActDone(
    long Sequence, string Move, Guid By, StakeholderGroup Group, string Kind, Guid On, string Title, long Version, string? Reason, string? Wording, DateTimeOffset At);

/// <summary>Who did what: every act of one participant, or of one stakeholder group's participants, across every negotiation.</summary>
public static class WhoDidWhatEndpoint
{
    public const string Rounds = "rounds";

    /// <summary>
    /// Everything a participant did: what they set, proposed, endorsed, objected to, amended, accepted, rejected,
    /// decided and ranked, in every negotiation and round; oldest first, or newest first with <c>sort=-at</c>.
    /// </summary>
    [WolverineGet("/api/participants/{id}/acts", OperationId = "listParticipantActs"), Tags(FindingModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IReadOnlyList<ActDone>> ByParticipant(Guid id, string? sort, int? limit, string? after, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        _ = await session.LoadAsync<Participant>(id, ct) ?? throw Rejected.NotFound($"No participant {id} is registered.");
        return await PageAsync(http, session, WhoActed.ActingParticipantKey, id.ToString(), sort, limit, after, ct);
    }

    /// <summary>Everything a stakeholder group's participants did, as each was in that group when they acted; oldest first, or newest first with <c>sort=-at</c>.</summary>
    [WolverineGet("/api/stakeholder-groups/{group}/acts", OperationId = "listStakeholderGroupActs"), Tags(FindingModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static Task<IReadOnlyList<ActDone>> ByGroup(string group, string? sort, int? limit, string? after, HttpContext http, IQuerySession session, CancellationToken ct) =>
        PageAsync(http, session, WhoActed.ActingGroupKey, WireValues<StakeholderGroup>.Name(Group(group)), sort, limit, after, ct);

    public static StakeholderGroup Group(string group) =>
        WireValues<StakeholderGroup>.IsDefined(group)
            ? WireValues<StakeholderGroup>.Parse(group)
            : throw Rejected.NotFound($"No stakeholder group '{group}'; the groups are {string.Join(", ", WireValues<StakeholderGroup>.Names)}.");

    private static async Task<IReadOnlyList<ActDone>> PageAsync(
        HttpContext http, IQuerySession session, string header, string value, string? sort, int? limit, string? after, CancellationToken ct)
    {
        var take = Paging.Limit(limit);
        var descending = sort switch
        {
            null or "at" => false,
            "-at" => true,
            _ => throw Rejected.Invalid("sort is at, or -at for newest first.", "sort"),
        };
        long? from = null;
        if (after is not null)
        {
            from = long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                ? sequence
                : throw Rejected.Invalid("after is not a cursor this service gave; take it from the Link header.", "after");
        }

        // The index is on the header's text, so the condition is written as it is.
        var acted = $"d.headers ->> '{header}' = ?";
        var query = session.Events.QueryAllRawEvents().Where(e => e.MatchesSql(acted, value));
        if (from is { } last)
        {
            query = descending ? query.Where(e => e.Sequence < last) : query.Where(e => e.Sequence > last);
        }

        IReadOnlyList<JasperFx.Events.IEvent> events = await (descending ? query.OrderByDescending(e => e.Sequence) : query.OrderBy(e => e.Sequence)).Take(take + 1).ToListAsync(ct);
        if (events.Count > take)
        {
            events = [.. events.Take(take)];
            Paging.LinkNext(http, events[^1].Sequence.ToString(CultureInfo.InvariantCulture));
        }

        var on = events.Select(e => e.StreamId).Distinct().ToArray();
        var batch = session.CreateBatchQuery();
        var priorities = batch.LoadMany<Priority>().ById(on);
        var redesigns = batch.LoadMany<ServiceRedesign>().ById(on);
        var changes = batch.LoadMany<CurriculumChange>().ById(on);
        var rounds = batch.LoadMany<Round>().ById(on);
        await batch.Execute(ct);
        var about = (await priorities).Select(p => (p.Id, Kind: Moves.Priorities, Title: p.Statement))
            .Concat((await redesigns).Select(r => (r.Id, Kind: Moves.ServiceRedesigns, r.Title)))
            .Concat((await changes).Select(c => (c.Id, Kind: Moves.CurriculumChanges, Title: c.LearningOutcome)))
            .Concat((await rounds).Select(r => (r.Id, Kind: Rounds, Title: r.Question)))
            .ToDictionary(x => x.Id);

        return [.. events.Select(e => (Event: e, Act: History.Acts.Describe(e.Data)))
            .Where(x => x.Act is not null && about.ContainsKey(x.Event.StreamId))
            .Select(x => new ActDone(
                x.Event.Sequence, x.Act!.Move, x.Act.By, x.Act.Group, about[x.Event.StreamId].Kind, x.Event.StreamId, about[x.Event.StreamId].Title,
                x.Event.Version, x.Act.Reason, x.Act.Wording, x.Act.At))];
    }
}
