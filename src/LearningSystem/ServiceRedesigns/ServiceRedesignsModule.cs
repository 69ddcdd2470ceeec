using LearningSystem.Http.Describing;
using LearningSystem.Negotiating;
using LearningSystem.Storage;
using Marten;

namespace LearningSystem.ServiceRedesigns;

[ApiTag(Tag, "Proposed changes to a service: negotiated, decided on agreed priorities, implemented, measured and evaluated.")]
public static class ServiceRedesignsModule
{
    public const string Tag = "Service redesigns";

    /// <summary>A redesign is found by its title, problem, service and every wording of its proposed change.</summary>
    public static SearchableText Words { get; } = SearchableText.Of<ServiceRedesign>("service-redesign", "title",
        "title", "problem", "service", "negotiation.wordings[*].text", "negotiation.amendments[*].wording");

    public static StoreOptions AddServiceRedesigns(this StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(ServiceRedesignProposed), typeof(ChangeImplemented), typeof(OutcomeMeasured), typeof(ChangeEvaluated),
        ]);
        options.AddProposalView<ServiceRedesign>();
        options.Schema.For<ServiceRedesign>().Index(r => r.ProposedAt).Index(r => r.Service);
        FullText.Index(options, Words);
        return options;
    }
}
