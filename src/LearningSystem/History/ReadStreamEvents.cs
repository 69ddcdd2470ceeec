using JasperFx.Events;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.History;

public sealed record RecordedEvent(
    Guid StreamId,
    long Sequence,
    long Version,
    string Type,
    DateTimeOffset Timestamp,
    object Data,
    string? CorrelationId,
    string? CausationId,
    Guid? ActingParticipant,
    string Organisation)
{
    /// <summary>The event's own id, as a webhook's <c>eventId</c> names it.</summary>
    public Guid Id { get; init; }

    /// <summary>The hash-chain link written when the event was appended (hex).</summary>
    public string? Link { get; init; }

    /// <summary>The integrating client that sent the command.</summary>
    public string? Client { get; init; }

    /// <summary>The acting participant's stakeholder group at that moment.</summary>
    public string? ActingGroup { get; init; }

    /// <summary>Events as stored, with their personal fields opened (or shown as erased).</summary>
    public static async Task<IReadOnlyList<RecordedEvent>> OpenAllAsync(IQuerySession session, PersonalDataVault vault, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        var data = await vault.OpenAllAsync(session, events.Select(e => e.Data).ToArray(), ct);
        return events
            .Select((e, i) => new RecordedEvent(
                e.StreamId, e.Sequence, e.Version, e.EventTypeName, e.Timestamp, data[i],
                e.CorrelationId, e.CausationId, WhoActed.ActingParticipant(e), e.TenantId)
            {
                Id = e.Id,
                Link = Header(e, LearningSystem.Audit.HashChain.LinkHeader),
                Client = Header(e, WhoActed.ClientKey),
                ActingGroup = Header(e, WhoActed.ActingGroupKey),
            })
            .ToArray();
    }

    private static string? Header(IEvent e, string name) => e.Headers?.GetValueOrDefault(name)?.ToString();
}

public static class ReadStreamEventsEndpoint
{
    /// <summary>A stream's events in version order, <c>limit</c> at a time after version <c>after</c>; a Link header points to the rest.</summary>
    [WolverineGet("/api/streams/{id}/events", OperationId = "readStreamEvents"), Tags(HistoryModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IReadOnlyList<RecordedEvent>?> Get(
        Guid id, int? limit, long? after, HttpContext http, IQuerySession session, PersonalDataVault vault, CancellationToken ct)
    {
        var take = Paging.Limit(limit);
        var from = after ?? 0;
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == id && e.Version > from)
            .OrderBy(e => e.Version)
            .Take(take + 1)
            .ToListAsync(ct);
        if (events.Count == 0 && (after is null || await session.Events.FetchStreamStateAsync(id, ct) is null))
        {
            return null;
        }

        return await RecordedEvent.OpenAllAsync(session, vault, Paging.ByVersion(http, events, take, e => e.Version), ct);
    }
}
