using JasperFx.Events.Projections;
using Marten;
using LearningSystem.Storage;

namespace LearningSystem.Decisions;

public static class DecisionsModule
{
    public static StoreOptions AddDecisions(this StoreOptions options)
    {
        options.Projections.Add<DecisionIndex>(ProjectionLifecycle.Inline, EventStore.RebuildInBulk);
        return options;
    }
}
