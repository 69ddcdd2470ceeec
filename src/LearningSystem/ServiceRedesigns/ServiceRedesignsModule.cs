using LearningSystem.Negotiating;
using JasperFx.Events.Projections;
using Marten;

namespace LearningSystem.ServiceRedesigns;

public static class ServiceRedesignsModule
{
    public static StoreOptions AddServiceRedesigns(this StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(ServiceRedesignProposed), typeof(ChangeImplemented), typeof(OutcomeMeasured), typeof(ChangeEvaluated),
        ]);
        options.AddProposalView<ServiceRedesign>();
        return options;
    }
}
