using LearningSystem.Negotiating;
using JasperFx.Events.Projections;
using Marten;

namespace LearningSystem.Priorities;

public static class PrioritiesModule
{
    public static StoreOptions AddPriorities(this StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(PrioritySet), typeof(CounterProposed),
            typeof(PriorityMerged), typeof(PriorityAbsorbed), typeof(PriorityWithdrawn), typeof(PriorityDecided), typeof(DecisionReopened),
        ]);
        options.AddProposalView<Priority>();
        options.Schema.For<Priority>().Index(p => p.SetBy).Index(p => p.SetByGroup);
        return options;
    }
}
