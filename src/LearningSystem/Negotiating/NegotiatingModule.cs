using LearningSystem.Negotiating.Deciding;
using Marten;

namespace LearningSystem.Negotiating;

public static class NegotiatingModule
{
    /// <summary>The moves shared by priorities, service redesigns and curriculum changes; each proposal applies them itself.</summary>
    public static StoreOptions AddNegotiation(this StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(ProposalEndorsed), typeof(ObjectionRaised), typeof(ObjectionWithdrawn),
            typeof(AmendmentProposed), typeof(AmendmentAccepted), typeof(AmendmentRejected), typeof(ChangeDecided),
        ]);
        return options;
    }
}
