using LearningSystem.Http.Describing;
using LearningSystem.Negotiating.Deciding;
using JasperFx.Events.Projections;
using Marten;
using LearningSystem.Storage;

namespace LearningSystem.Negotiating;

[ApiTag(Tag, "The moves every proposal shares: endorsements, objections, amendments and decisions, on priorities, redesigns and curriculum changes.")]
public static class NegotiatingModule
{
    public const string Tag = "Negotiation";

    /// <summary>The moves shared by priorities, service redesigns and curriculum changes; each proposal applies them itself.</summary>
    public static StoreOptions AddNegotiation(this StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(ProposalEndorsed), typeof(ObjectionRaised), typeof(ObjectionWithdrawn),
            typeof(AmendmentProposed), typeof(AmendmentAccepted), typeof(AmendmentRejected), typeof(ChangeDecided),
        ]);
        options.Projections.Add<Endorsing.EndorsementIndex>(ProjectionLifecycle.Inline, EventStore.RebuildInBulk);
        options.Schema.For<Endorsing.Endorsement>().Index([e => e.ProposalId, e => e.Version]);
        options.Projections.Add(new Objecting.ObjectionIndex(), ProjectionLifecycle.Inline);
        options.Schema.For<Objecting.Objection>().Index([o => o.ProposalId, o => o.Version]);
        return options;
    }

    /// <summary>A proposal kind's inline view; see <see cref="ProposalView{T}"/>.</summary>
    public static StoreOptions AddProposalView<T>(this StoreOptions options) where T : notnull
    {
        options.Schema.For<T>();
        options.Projections.Add(new ProposalView<T>(), ProjectionLifecycle.Inline, EventStore.RebuildInBulk);
        return options;
    }
}
