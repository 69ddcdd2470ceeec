using LearningSystem.Participants;
using Marten;
using LearningSystem.Http;

namespace LearningSystem.ServiceRedesigns;

public static class RedesignActs
{
    public static Task<StreamAct<ServiceRedesign>> BeginAsync(Guid id, Guid by, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Acting.BeginAsync<ServiceRedesign>(id, by, $"No service redesign {id} is proposed.", session, clock, ct);

    public static Accepted Append(StreamAct<ServiceRedesign> act, object e, Guid? created = null) => Acting.Append(act, act.State.Version, e, created);
}
