namespace LearningSystem.Negotiating;

/// <summary>
/// The moves every proposal kind shares, applied to any kind's view: written once here. Each kind declares
/// them as its own one-line Apply methods, because Marten's compile-time source generator dispatches the
/// conventional methods it finds on the aggregate itself (a generic view class of methods is not dispatched).
/// </summary>
public static class SharedMoves
{
    public static T? Apply<T>(ProposalEndorsed e, T p) where T : class, INegotiable => Negotiation.IsElsewhere(p) ? null : (T)p.Negotiated(p.Negotiation.Apply(e));

    public static T? Apply<T>(ObjectionRaised e, T p) where T : class, INegotiable => Negotiation.IsElsewhere(p) ? null : (T)p.Negotiated(p.Negotiation.Apply(e));

    // The objection's own document records the withdrawal; the view only moves to the new version.
    public static T? Apply<T>(ObjectionWithdrawn e, T p) where T : class, INegotiable => Negotiation.IsElsewhere(p) ? null : p;

    public static T? Apply<T>(AmendmentProposed e, T p) where T : class, INegotiable => Negotiation.IsElsewhere(p) ? null : (T)p.Negotiated(p.Negotiation.Apply(e));

    // The accepted amendment's wording becomes the proposal's (see INegotiable.Negotiated).
    public static T? Apply<T>(AmendmentAccepted e, T p) where T : class, INegotiable => Negotiation.IsElsewhere(p) ? null : (T)p.Negotiated(p.Negotiation.Apply(e));

    public static T? Apply<T>(AmendmentRejected e, T p) where T : class, INegotiable => Negotiation.IsElsewhere(p) ? null : (T)p.Negotiated(p.Negotiation.Apply(e));
}
