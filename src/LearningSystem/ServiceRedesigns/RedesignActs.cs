using LearningSystem.Priorities;
using LearningSystem.Rounds;
using Marten;

namespace LearningSystem.ServiceRedesigns;

public static class RedesignActs
{
    public static Task<StreamAct<ServiceRedesign>> BeginAsync(Guid id, Guid by, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        StreamActs.BeginAsync<ServiceRedesign>(id, by, $"No service redesign {id} is proposed.", session, clock, ct);

    public static MoveAccepted Append(StreamAct<ServiceRedesign> act, object e, Guid? created = null) => StreamActs.Append(act, act.State.Version, e, created);
}
