using JasperFx.Events;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using Marten;
using Marten.Services.BatchQuerying;
using Marten.Events.Projections;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Negotiating.Objecting;

/// <summary>
/// One objection to one proposal, a document of its own, so that an objection adds a row rather than
/// rewriting a list that grows with every one before it. <c>Version</c> is the proposal's version the
/// objection took it to; <c>Answered</c> when a decision named it, which also closes it.
/// </summary>
public sealed record Objection(
    Guid Id, Guid ProposalId, Guid By, StakeholderGroup ByGroup, string Reason, bool Open, DateTimeOffset RaisedAt, long Version, bool Answered = false)
{
    public static Objection From(ObjectionRaised e, long version) => new(e.ObjectionId, e.ProposalId, e.By, e.ByGroup, e.Reason, true, e.At, version);

    public Objection Withdrawn() => this with { Open = false };

    public Objection AnsweredByDecision() => this with { Open = false, Answered = true };

    /// <summary>A proposal's objections as its events up to some point leave them, in the order raised.</summary>
    public static IReadOnlyList<Objection> Fold(IEnumerable<IEvent> events) => Fold(events.Select(e => (e.Data, e.Version)));

    /// <summary>Pure: the same from each event's data and the proposal's version it took it to.</summary>
    public static IReadOnlyList<Objection> Fold(IEnumerable<(object Data, long Version)> events)
    {
        var objections = new Dictionary<Guid, Objection>();
        foreach (var (data, version) in events)
        {
            Track(objections, data, version);
        }

        return objections.Values.OrderBy(o => o.Version).ToArray();
    }

    /// <summary>
    /// Pure: applies one event to the objections it concerns, those in <paramref name="objections"/>, and
    /// answers the ones it changed. An objection not among them, or raised on another proposal than the
    /// event's, is left alone, so the inline index and the rebuilder agree whatever an event names.
    /// </summary>
    public static IReadOnlyList<Objection> Track(IDictionary<Guid, Objection> objections, object e, long version)
    {
        Objection? Raised(Guid proposal, Guid id) => objections.TryGetValue(id, out var o) && o.ProposalId == proposal ? o : null;
        Objection[] Answer(Guid proposal, IReadOnlyList<Guid> ids) =>
            [.. ids.Select(id => Raised(proposal, id)).OfType<Objection>().Select(o => o.AnsweredByDecision())];

        var changed = e switch
        {
            ObjectionRaised raised => [From(raised, version)],
            ObjectionWithdrawn w when Raised(w.ProposalId, w.ObjectionId) is { } o => [o.Withdrawn()],
            PriorityDecided d when d.AnswersObjections.Count > 0 => Answer(d.PriorityId, d.AnswersObjections),
            ChangeDecided d when d.AnswersObjections.Count > 0 => Answer(d.ProposalId, d.AnswersObjections),
            // Most events concern no objection: they take this branch without allocating.
            _ => [],
        };
        foreach (var objection in changed)
        {
            objections[objection.Id] = objection;
        }

        return changed;
    }

    /// <summary>The objections an event concerns without raising them: the one withdrawn, or those a decision answers.</summary>
    public static IReadOnlyList<Guid> Concerned(object e) => e switch
    {
        ObjectionWithdrawn w => [w.ObjectionId],
        PriorityDecided d => d.AnswersObjections,
        ChangeDecided d => d.AnswersObjections,
        _ => [],
    };
}

/// <summary>What deciding needs of objections: the ones a decision names, and which of them were raised on its proposal.</summary>
public static class Objections
{
    public static Task<IReadOnlyList<Objection>> Named(IBatchedQuery batch, IReadOnlyList<Guid>? ids) =>
        batch.LoadMany<Objection>().ById([.. (ids ?? []).Distinct()]);

    public static Guid[] On(Guid proposal, IEnumerable<Objection> objections) => objections.Where(o => o.ProposalId == proposal).Select(o => o.Id).ToArray();

    /// <summary>Every objection raised on <paramref name="proposals"/>, now, in the order raised.</summary>
    public static async Task<IReadOnlyList<Objection>> OnAsync(IQuerySession session, IReadOnlyCollection<Guid> proposals, CancellationToken ct) =>
        proposals.Count == 0
            ? []
            : (await session.Query<Objection>().Where(o => o.ProposalId.IsOneOf(proposals.ToArray())).OrderBy(o => o.Version).ToListAsync(ct)).ToArray();

    /// <summary>The proposal of each objection still open on <paramref name="proposals"/>: ids, not whole documents.</summary>
    public static async Task<IReadOnlyList<Guid>> OpenOnAsync(IQuerySession session, IReadOnlyCollection<Guid> proposals, CancellationToken ct) =>
        proposals.Count == 0
            ? []
            : await session.Query<Objection>().Where(o => o.Open && o.ProposalId.IsOneOf(proposals.ToArray())).Select(o => o.ProposalId).ToListAsync(ct);
}

/// <summary>
/// Every objection, kept as it is raised, withdrawn or answered. A batch of events is applied as a whole
/// rather than event by event: an import may raise an objection and answer it in one transaction, and an
/// objection raised in the batch is not yet stored to be read back.
/// </summary>
public sealed class ObjectionIndex : IProjection
{
    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        // Every append of the service passes here; one that concerns no objection leaves at once, allocating nothing.
        var concerns = false;
        for (var i = 0; i < events.Count && !concerns; i++)
        {
            concerns = events[i].Data is ObjectionRaised || Objection.Concerned(events[i].Data).Count > 0;
        }

        if (!concerns)
        {
            return;
        }

        var raisedHere = events.Select(e => e.Data).OfType<ObjectionRaised>().Select(r => r.ObjectionId).ToHashSet();
        var earlier = events.SelectMany(e => Objection.Concerned(e.Data)).Where(id => !raisedHere.Contains(id)).Distinct().ToArray();

        var objections = earlier.Length == 0 ? [] : (await operations.LoadManyAsync<Objection>(cancellation, earlier)).ToDictionary(o => o.Id);
        var changed = new Dictionary<Guid, Objection>();
        foreach (var e in events)
        {
            foreach (var objection in Objection.Track(objections, e.Data, e.Version))
            {
                changed[objection.Id] = objection;
            }
        }

        foreach (var objection in changed.Values)
        {
            operations.Store(objection);
        }
    }
}

public static class ListObjectionsEndpoint
{
    /// <summary>
    /// A proposal's objections in the order they were raised, <c>limit</c> at a time after the proposal's
    /// version <c>after</c>; a Link header points to the rest. With <c>asOf</c> (a time) or <c>version</c>,
    /// each exactly as it stood then. <c>kind</c> is <c>priorities</c>, <c>service-redesigns</c> or
    /// <c>curriculum-changes</c>.
    /// </summary>
    [WolverineGet("/api/{kind}/{id}/objections", OperationId = "listObjections"), Tags(NegotiatingModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IReadOnlyList<Objection>?> Get(
        string kind, Guid id, int? limit, long? after, DateTimeOffset? asOf, long? version, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var take = Paging.Limit(limit);
        AsOf.Check(version);

        // The proposal must be of the kind the route names, not merely share the id of objections elsewhere.
        if (!await Moves.ExistsAsync(kind, id, session, ct))
        {
            return null;
        }

        var from = after ?? 0;
        List<Objection> objections;
        if (AsOf.Asked(asOf, version))
        {
            // Time travel reads the history, not the documents as they are now.
            var events = await session.Events.FetchStreamAsync(id, version ?? 0, asOf, token: ct);
            if (events.Count == 0)
            {
                // Before the proposal existed, as its own as-of view answers.
                return null;
            }

            objections = Objection.Fold(events).Where(o => o.Version > from).Take(take + 1).ToList();
        }
        else
        {
            objections = [.. await session.Query<Objection>()
                .Where(o => o.ProposalId == id && o.Version > from)
                .OrderBy(o => o.Version)
                .Take(take + 1)
                .ToListAsync(ct)];
        }

        return Paging.ByVersion(http, objections, take, o => o.Version);
    }
}
