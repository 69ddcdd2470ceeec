using LearningSystem.Negotiating;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Participants;
using LearningSystem.Http;

namespace LearningSystem.ServiceRedesigns;

/// <summary>The proposer's stakeholder group is recorded as it was when they proposed, for provenance.</summary>
public sealed record ServiceRedesignProposed(
    Guid RedesignId,
    string Title,
    string Problem,
    string ProposedChange,
    string Service,
    Guid ProposedBy,
    StakeholderGroup ProposerGroup,
    IReadOnlyList<Guid> Evidence,
    DateTimeOffset ProposedAt);

/// <summary>What exactly changed, when, and who made the change.</summary>
public sealed record ChangeImplemented(Guid RedesignId, Guid ImplementationId, string WhatChanged, DateTimeOffset ImplementedOn, Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

/// <summary>An outcome of an implementation: the measure, its baseline and value, over which period, from which source.</summary>
public sealed record OutcomeMeasured(
    Guid RedesignId, Guid MeasurementId, Guid ImplementationId, string Measure, decimal Baseline, decimal Value, string? Unit,
    DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, string Source, Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

public sealed record ChangeEvaluated(Guid RedesignId, Guid EvaluationId, string Summary, IReadOnlyList<Guid> Measurements, Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

public sealed record Implementation(Guid Id, string WhatChanged, DateTimeOffset ImplementedOn, Guid By, StakeholderGroup ByGroup);

public sealed record Measurement(
    Guid Id, Guid ImplementationId, string Measure, decimal Baseline, decimal Value, string? Unit, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, string Source, Guid By);

public sealed record Evaluation(Guid Id, string Summary, IReadOnlyList<Guid> Measurements, Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

/// <summary>
/// A proposed change to how a service works, negotiated like a priority (its proposed change is the wording
/// amendments reword), then decided, implemented, measured and evaluated. It holds references to people and feedback, never copies of
/// their text, so that personal data stays in one place.
/// </summary>
public sealed partial record ServiceRedesign(
    Guid Id,
    string Title,
    string Problem,
    string ProposedChange,
    string Service,
    Guid ProposedBy,
    StakeholderGroup ProposerGroup,
    IReadOnlyList<Guid> Evidence,
    DateTimeOffset ProposedAt) : IChange
{
    public long Version { get; init; }
    public Negotiation Negotiation { get; init; } = Negotiation.Start(ProposedChange, ProposedBy, ProposedAt);
    public ChangeDecision? Decision { get; init; }
    public IReadOnlyList<Implementation> Implementations { get; init; } = [];
    public IReadOnlyList<Measurement> Outcomes { get; init; } = [];
    public IReadOnlyList<Evaluation> Evaluations { get; init; } = [];

    public static ServiceRedesign Create(ServiceRedesignProposed e) =>
        new(e.RedesignId, e.Title, e.Problem, e.ProposedChange, e.Service, e.ProposedBy, e.ProposerGroup, e.Evidence, e.ProposedAt);

    public INegotiable Negotiated(Negotiation negotiation) => this with { Negotiation = negotiation, ProposedChange = negotiation.Wording };

    // The moves every proposal kind shares, written once in SharedMoves.
    public static ServiceRedesign? Apply(ProposalEndorsed e, ServiceRedesign r) => SharedMoves.Apply(e, r);

    public static ServiceRedesign? Apply(ObjectionRaised e, ServiceRedesign r) => SharedMoves.Apply(e, r);

    public static ServiceRedesign? Apply(ObjectionWithdrawn e, ServiceRedesign r) => SharedMoves.Apply(e, r);

    public static ServiceRedesign? Apply(AmendmentProposed e, ServiceRedesign r) => SharedMoves.Apply(e, r);

    public static ServiceRedesign? Apply(AmendmentAccepted e, ServiceRedesign r) => SharedMoves.Apply(e, r);

    public static ServiceRedesign? Apply(AmendmentRejected e, ServiceRedesign r) => SharedMoves.Apply(e, r);

    public static ServiceRedesign? Apply(ChangeDecided e, ServiceRedesign r) => Negotiation.IsElsewhere(r) ? null :
        r with { Decision = ChangeDecision.Of(e) };

    public static ServiceRedesign Apply(ChangeImplemented e, ServiceRedesign r) =>
        r with { Implementations = [.. r.Implementations, new Implementation(e.ImplementationId, e.WhatChanged, e.ImplementedOn, e.By, e.ByGroup)] };

    public static ServiceRedesign Apply(OutcomeMeasured e, ServiceRedesign r) =>
        r with
        {
            Outcomes = [.. r.Outcomes, new Measurement(e.MeasurementId, e.ImplementationId, e.Measure, e.Baseline, e.Value, e.Unit, e.PeriodStart, e.PeriodEnd, e.Source, e.By)],
        };

    public static ServiceRedesign Apply(ChangeEvaluated e, ServiceRedesign r) =>
        r with { Evaluations = [.. r.Evaluations, new Evaluation(e.EvaluationId, e.Summary, e.Measurements, e.By, e.ByGroup, e.At)] };

    /// <summary>Negotiation ends with the decision; what follows is the change's life, not its wording.</summary>
    public void EnsureOpen()
    {
        if (Decision is { } decided)
        {
            throw Rejected.Conflict($"Service redesign {Id} was already {WireValues<ChangeOutcome>.Name(decided.Outcome)} on {decided.At:O}.");
        }
    }
}
