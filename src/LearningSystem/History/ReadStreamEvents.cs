using JasperFx.Events;
using LearningSystem.Hosting;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

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
    /// <summary>Events as stored, with their personal fields opened (or shown as erased).</summary>
    public static async Task<IReadOnlyList<RecordedEvent>> OpenAllAsync(IQuerySession session, PersonalDataVault vault, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        var data = await vault.OpenAllAsync(session, events.Select(e => e.Data).ToArray(), ct);
        return events
            .Select((e, i) => new RecordedEvent(
                e.StreamId, e.Sequence, e.Version, e.EventTypeName, e.Timestamp, data[i],
                e.CorrelationId, e.CausationId, Provenance.ActingParticipant(e), e.TenantId))
            .ToArray();
    }
}

public static class ReadStreamEventsEndpoint
{
    [WolverineGet("/api/streams/{id}/events", OperationId = "readStreamEvents"), Tags("History")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IReadOnlyList<RecordedEvent>?> Get(Guid id, IQuerySession session, PersonalDataVault vault, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        return events.Count == 0 ? null : await RecordedEvent.OpenAllAsync(session, vault, events, ct);
    }
}
