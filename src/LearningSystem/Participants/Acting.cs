using JasperFx.Events;
using Marten;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Participants;

/// <summary>Who acted, and their stakeholder group at that moment, as every event of the loop records it.</summary>
public sealed record Actor(Guid Id, StakeholderGroup Group);

/// <summary>An act on a stream under way: the stream, its state, who acts, and when.</summary>
public sealed record StreamAct<T>(IEventStream<T> Stream, T State, Actor Actor, DateTimeOffset Now) where T : class;

/// <summary>What every act shares: the acting participant, the stream fetched for writing, appending.</summary>
public static class Acting
{
    public static async Task<StreamAct<T>> BeginAsync<T>(
        Guid id, Guid by, string notFound, IDocumentSession session, TimeProvider clock, CancellationToken ct, bool exclusive = false)
        where T : class
    {
        var (stream, participant) = await FetchWithActorAsync<T>(id, by, session, ct, exclusive);
        var state = stream.Aggregate ?? throw Rejected.NotFound(notFound);
        return new StreamAct<T>(stream, state, Admit(session, participant, by, "by"), clock.GetUtcNow());
    }

    /// <summary>
    /// The stream fetched for writing and the acting participant, read in one round trip: an act on a stream
    /// needs both, and a second trip to PostgreSQL cost every move.
    /// </summary>
    /// <remarks>
    /// <paramref name="exclusive"/> takes the stream's lock in PostgreSQL for the transaction, so acts that
    /// need no order between them (different respondents ranking) queue instead of racing to a conflict,
    /// on every node.
    /// </remarks>
    public static async Task<(IEventStream<T> Stream, Participant? Participant)> FetchWithActorAsync<T>(
        Guid id, Guid by, IDocumentSession session, CancellationToken ct, bool exclusive = false)
        where T : class
    {
        var batch = session.CreateBatchQuery();
        var stream = exclusive ? batch.Events.FetchForExclusiveWriting<T>(id) : batch.Events.FetchForWriting<T>(id);
        var participant = batch.Load<Participant>(by);
        await batch.Execute(ct);
        return (await stream, await participant);
    }

    public static Accepted Append<T>(StreamAct<T> act, long version, object e, Guid? created = null) where T : class
    {
        act.Stream.AppendOne(e);
        return new Accepted(version + 1, created);
    }

    /// <summary>The participant who acts, registered and not erased; their group at this moment goes on record with every event.</summary>
    public static async Task<Actor> ActorAsync(IDocumentSession session, Guid participantId, string field, CancellationToken ct) =>
        Admit(session, await session.LoadAsync<Participant>(participantId, ct), participantId, field);

    /// <summary>Admits a loaded participant as the one who acts, or rejects the act.</summary>
    public static Actor Admit(IDocumentSession session, Participant? participant, Guid participantId, string field)
    {
        if (participant is null)
        {
            throw Rejected.NotFound($"No participant {participantId} is registered.", field);
        }

        if (participant.ErasedAt is not null)
        {
            throw Rejected.Conflict($"Participant {participantId} was erased and can no longer take part.");
        }

        WhoActed.StampParticipant(session, participant.Id, participant.StakeholderGroup);
        return new Actor(participant.Id, participant.StakeholderGroup);
    }
}
