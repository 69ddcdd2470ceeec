using LearningSystem.History;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Rounds.Reading;

public static class GetRoundEndpoint
{
    /// <summary>The round as it stands, or as it stood at <c>asOf</c> or <c>version</c>.</summary>
    [WolverineGet("/api/rounds/{id}", OperationId = "getRound"), Tags(RoundsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static Task<Round?> Get(Guid id, DateTimeOffset? asOf, long? version, IQuerySession session, CancellationToken ct) =>
        AsOf.LoadAsync<Round>(session, id, asOf, version, ct);

    /// <summary>The negotiation timeline of a round: its own events and those of every priority in it, in the order they happened.</summary>
    [WolverineGet("/api/rounds/{id}/timeline", OperationId = "getRoundTimeline"), Tags(RoundsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IReadOnlyList<RecordedEvent>?> GetTimeline(Guid id, IQuerySession session, PersonalDataVault vault, CancellationToken ct)
    {
        var round = await session.LoadAsync<Round>(id, ct);
        if (round is null)
        {
            return null;
        }

        return await RecordedEvent.OpenAllAsync(session, vault, await EventsAsync(round, session, int.MaxValue, ct), ct);
    }

    /// <summary>The events of the round and of every priority in it, in the order they happened.</summary>
    public static async Task<IReadOnlyList<JasperFx.Events.IEvent>> EventsAsync(Round round, IQuerySession session, int max, CancellationToken ct)
    {
        Guid[] streams = [round.Id, .. round.Priorities];
        return await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId.IsOneOf(streams))
            .OrderBy(e => e.Sequence)
            .Take(max)
            .ToListAsync(ct);
    }
}
