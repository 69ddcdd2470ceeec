using LearningSystem.Hosting;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.History;

public sealed record RecordedEvent(
    long Sequence,
    long Version,
    string Type,
    DateTimeOffset Timestamp,
    object Data,
    string? CorrelationId,
    string? CausationId,
    Guid? ActingParticipant,
    string Organisation);

public static class ReadStreamEventsEndpoint
{
    [WolverineGet("/api/streams/{id}/events", OperationId = "readStreamEvents"), Tags("History")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IReadOnlyList<RecordedEvent>?> Get(Guid id, IQuerySession session, PersonalDataVault vault, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.Count == 0)
        {
            return null;
        }

        var data = await vault.OpenAllAsync(session, events.Select(e => e.Data).ToArray(), ct);
        return events
            .Select((e, i) => new RecordedEvent(
                e.Sequence,
                e.Version,
                e.EventTypeName,
                e.Timestamp,
                data[i],
                e.CorrelationId,
                e.CausationId,
                Provenance.ActingParticipant(e),
                e.TenantId))
            .ToArray();
    }
}
