using LearningSystem.Hosting;
using LearningSystem.Negotiating.Deciding;
using JasperFx.Events.Projections;
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

    /// <summary>
    /// A proposal's inline view. Marten applies inline views by event type whatever the stream (see
    /// <see cref="Negotiation.IsElsewhere"/>); the stream-type filter spares rebuilds the other kinds' streams.
    /// </summary>
    public static StoreOptions AddProposalView<T>(this StoreOptions options)
    {
        options.Projections.Snapshot<T>(SnapshotLifecycle.Inline, projection => projection.FilterIncomingEventsOnStreamType(typeof(T)), EventStore.RebuildInBulk);
        return options;
    }
}
