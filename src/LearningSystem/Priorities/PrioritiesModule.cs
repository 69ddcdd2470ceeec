using LearningSystem.Http.Describing;
using LearningSystem.Negotiating;
using LearningSystem.Storage;
using Marten;

namespace LearningSystem.Priorities;

[ApiTag(Tag, "Priorities set by participants, with the evidence behind them.")]
[ApiTag(NegotiationTag, "Endorsements, objections and amendments on priorities, redesigns and curriculum changes, and their decisions.")]
public static class PrioritiesModule
{
    public const string NegotiationTag = "Priority negotiation";

    public const string Tag = "Priorities";

    /// <summary>A priority is found by its statement, its rationale, every wording it has had and every amendment proposed.</summary>
    public static SearchableText Words { get; } = SearchableText.Of<Priority>("priority", "statement",
        "statement", "rationale", "negotiation.wordings[*].text", "negotiation.amendments[*].wording");

    public static StoreOptions AddPriorities(this StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(PrioritySet), typeof(CounterProposed),
            typeof(PriorityMerged), typeof(PriorityAbsorbed), typeof(PriorityWithdrawn), typeof(PriorityDecided), typeof(DecisionReopened),
        ]);
        options.AddProposalView<Priority>();
        options.Schema.For<Priority>().Index(p => p.SetBy).Index(p => p.SetByGroup).Index(p => p.SetAt).Index(p => p.Status).Index(p => p.RoundId);
        FullText.Index(options, Words);
        return options;
    }
}
