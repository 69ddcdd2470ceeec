using JasperFx.Events;
using LearningSystem.Priorities;
using Marten;

namespace LearningSystem.Rounds;

/// <summary>An act on a stream under way: the stream, its state, who acts, and when.</summary>
public sealed record StreamAct<T>(IEventStream<T> Stream, T State, Actor Actor, DateTimeOffset Now) where T : class;

/// <summary>What acts on rounds and redesigns share: the stream fetched for writing, the acting participant, appending.</summary>
public static class StreamActs
{
    public static async Task<StreamAct<T>> BeginAsync<T>(Guid id, Guid by, string notFound, IDocumentSession session, TimeProvider clock, CancellationToken ct)
        where T : class
    {
        var stream = await session.Events.FetchForWriting<T>(id, ct);
        var state = stream.Aggregate ?? throw Rejected.NotFound(notFound);
        return new StreamAct<T>(stream, state, await Moves.ActorAsync(session, by, "by", ct), clock.GetUtcNow());
    }

    public static MoveAccepted Append<T>(StreamAct<T> act, long version, object e, Guid? created = null) where T : class
    {
        act.Stream.AppendOne(e);
        return new MoveAccepted(version + 1, created);
    }
}

public static class RoundActs
{
    public static Task<StreamAct<Round>> BeginAsync(Guid roundId, Guid by, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        StreamActs.BeginAsync<Round>(roundId, by, $"No round {roundId} is open.", session, clock, ct);

    public static MoveAccepted Append(StreamAct<Round> act, object e) => StreamActs.Append(act, act.State.Version, e);
}
