using JasperFx.Events;
using LearningSystem.Priorities;
using Marten;

namespace LearningSystem.Rounds;

/// <summary>An act on a round under way: its stream, its state, who acts, and when.</summary>
public sealed record RoundAct(IEventStream<Round> Stream, Round Round, Actor Actor, DateTimeOffset Now);

public static class RoundActs
{
    public static async Task<RoundAct> BeginAsync(Guid roundId, Guid by, IDocumentSession session, TimeProvider clock, CancellationToken ct, string roundField = "id")
    {
        var stream = await session.Events.FetchForWriting<Round>(roundId, ct);
        var round = stream.Aggregate ?? throw Rejected.NotFound($"No round {roundId} is open.", roundField == "id" ? null : roundField);
        return new RoundAct(stream, round, await Moves.ActorAsync(session, by, "by", ct), clock.GetUtcNow());
    }

    public static MoveAccepted Append(RoundAct act, object e)
    {
        act.Stream.AppendOne(e);
        return new MoveAccepted(act.Round.Version + 1);
    }
}
