using LearningSystem.Http.Describing;
using LearningSystem.Negotiating;
using Marten;

namespace LearningSystem.ServiceRedesigns;

[ApiTag(Tag, "Proposed changes to a service: negotiated, decided on agreed priorities, implemented, measured and evaluated.")]
public static class ServiceRedesignsModule
{
    public const string Tag = "Service redesigns";

    public static StoreOptions AddServiceRedesigns(this StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(ServiceRedesignProposed), typeof(ChangeImplemented), typeof(OutcomeMeasured), typeof(ChangeEvaluated),
        ]);
        options.AddProposalView<ServiceRedesign>();
        return options;
    }
}
