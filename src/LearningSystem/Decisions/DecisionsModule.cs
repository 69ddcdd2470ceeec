using LearningSystem.Hosting;
using JasperFx.Events.Projections;
using Marten;

namespace LearningSystem.Decisions;

public static class DecisionsModule
{
    public static StoreOptions AddDecisions(this StoreOptions options)
    {
        options.Projections.Add<DecisionIndex>(ProjectionLifecycle.Inline, EventStore.RebuildInBulk);
        return options;
    }
}
