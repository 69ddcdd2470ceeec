using JasperFx.Events;
using LearningSystem.Hosting;
using Marten;

namespace LearningSystem.Participants;

/// <summary>Who acted, and their stakeholder group at that moment, as every event of the loop records it.</summary>
public sealed record Actor(Guid Id, StakeholderGroup Group);

/// <summary>An act on a stream under way: the stream, its state, who acts, and when.</summary>
public sealed record StreamAct<T>(IEventStream<T> Stream, T State, Actor Actor, DateTimeOffset Now) where T : class;

/// <summary>What every act shares: the acting participant, the stream fetched for writing, appending.</summary>
public static class Acting
{
    public static async Task<StreamAct<T>> BeginAsync<T>(Guid id, Guid by, string notFound, IDocumentSession session, TimeProvider clock, CancellationToken ct)
        where T : class
    {
        var stream = await session.Events.FetchForWriting<T>(id, ct);
        var state = stream.Aggregate ?? throw Rejected.NotFound(notFound);
        return new StreamAct<T>(stream, state, await ActorAsync(session, by, "by", ct), clock.GetUtcNow());
    }

    public static Accepted Append<T>(StreamAct<T> act, long version, object e, Guid? created = null) where T : class
    {
        act.Stream.AppendOne(e);
        return new Accepted(version + 1, created);
    }

    /// <summary>The participant who acts, registered and not erased; their group at this moment goes on record with every event.</summary>
    public static async Task<Actor> ActorAsync(IDocumentSession session, Guid participantId, string field, CancellationToken ct)
    {
        var participant = await session.LoadAsync<Participant>(participantId, ct)
                          ?? throw Rejected.NotFound($"No participant {participantId} is registered.", field);
        if (participant.ErasedAt is not null)
        {
            throw Rejected.Conflict($"Participant {participantId} was erased and can no longer take part.");
        }

        Provenance.StampParticipant(session, participant.Id, participant.StakeholderGroup);
        return new Actor(participant.Id, participant.StakeholderGroup);
    }
}
