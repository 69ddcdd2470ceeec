using LearningSystem.Participants;
using Marten;
using LearningSystem.Http;

namespace LearningSystem.Rounds;

public static class RoundActs
{
    public static Task<StreamAct<Round>> BeginAsync(Guid roundId, Guid by, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Acting.BeginAsync<Round>(roundId, by, $"No round {roundId} is open.", session, clock, ct);

    /// <summary>For acts by different people that need no order between them: they queue on the round's lock rather than conflict.</summary>
    public static Task<StreamAct<Round>> BeginQueuedAsync(Guid roundId, Guid by, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Acting.BeginAsync<Round>(roundId, by, $"No round {roundId} is open.", session, clock, ct, exclusive: true);

    public static Accepted Append(StreamAct<Round> act, object e) => Acting.Append(act, act.State.Version, e);
}
