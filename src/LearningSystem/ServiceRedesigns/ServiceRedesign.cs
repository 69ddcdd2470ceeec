using LearningSystem.Participants;

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

public enum RedesignOutcome
{
    Approved,
    Rejected,
}

/// <summary>Approval or rejection, with a rationale linked to the agreed priorities it serves.</summary>
public sealed record ServiceRedesignDecided(
    Guid RedesignId, RedesignOutcome Outcome, string Rationale, IReadOnlyList<Guid> BasedOnPriorities, IReadOnlyList<Guid> DecisionMakers,
    Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

/// <summary>What exactly changed, when, and who made the change.</summary>
public sealed record ChangeImplemented(Guid RedesignId, Guid ImplementationId, string WhatChanged, DateTimeOffset ImplementedOn, Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

/// <summary>An outcome of an implementation: the measure, its baseline and value, over which period, from which source.</summary>
public sealed record OutcomeMeasured(
    Guid RedesignId, Guid MeasurementId, Guid ImplementationId, string Measure, decimal Baseline, decimal Value, string? Unit,
    DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, string Source, Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

public sealed record ChangeEvaluated(Guid RedesignId, Guid EvaluationId, string Summary, IReadOnlyList<Guid> Measurements, Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

public sealed record RedesignDecision(RedesignOutcome Outcome, string Rationale, IReadOnlyList<Guid> BasedOnPriorities, IReadOnlyList<Guid> DecisionMakers, Guid By, DateTimeOffset At);

public sealed record Implementation(Guid Id, string WhatChanged, DateTimeOffset ImplementedOn, Guid By, StakeholderGroup ByGroup);

public sealed record Measurement(
    Guid Id, Guid ImplementationId, string Measure, decimal Baseline, decimal Value, string? Unit, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, string Source, Guid By);

public sealed record Evaluation(Guid Id, string Summary, IReadOnlyList<Guid> Measurements, Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

/// <summary>
/// A proposed change to how a service works. It holds references to people and feedback, never copies of
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
    DateTimeOffset ProposedAt)
{
    public long Version { get; init; }
    public RedesignDecision? Decision { get; init; }
    public IReadOnlyList<Implementation> Implementations { get; init; } = [];
    public IReadOnlyList<Measurement> Outcomes { get; init; } = [];
    public IReadOnlyList<Evaluation> Evaluations { get; init; } = [];

    public static ServiceRedesign Create(ServiceRedesignProposed e) =>
        new(e.RedesignId, e.Title, e.Problem, e.ProposedChange, e.Service, e.ProposedBy, e.ProposerGroup, e.Evidence, e.ProposedAt);

    public static ServiceRedesign Apply(ServiceRedesignDecided e, ServiceRedesign r) =>
        r with { Decision = new RedesignDecision(e.Outcome, e.Rationale, e.BasedOnPriorities, e.DecisionMakers, e.By, e.At) };

    public static ServiceRedesign Apply(ChangeImplemented e, ServiceRedesign r) =>
        r with { Implementations = [.. r.Implementations, new Implementation(e.ImplementationId, e.WhatChanged, e.ImplementedOn, e.By, e.ByGroup)] };

    public static ServiceRedesign Apply(OutcomeMeasured e, ServiceRedesign r) =>
        r with
        {
            Outcomes = [.. r.Outcomes, new Measurement(e.MeasurementId, e.ImplementationId, e.Measure, e.Baseline, e.Value, e.Unit, e.PeriodStart, e.PeriodEnd, e.Source, e.By)],
        };

    public static ServiceRedesign Apply(ChangeEvaluated e, ServiceRedesign r) =>
        r with { Evaluations = [.. r.Evaluations, new Evaluation(e.EvaluationId, e.Summary, e.Measurements, e.By, e.ByGroup, e.At)] };
}
