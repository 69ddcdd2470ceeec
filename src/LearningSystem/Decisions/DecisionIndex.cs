using JasperFx.Events;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Priorities;
using Marten.Events.Projections;
using LearningSystem.Http;

namespace LearningSystem.Decisions;

/// <summary>
/// Where a decision was made: the proposal's stream, the version the decision took it to, and its outcome
/// (agreed or rejected for a priority, approved or rejected for a change; absent in entries kept before outcomes
/// were, until the views are rebuilt).
/// </summary>
public sealed record DecisionEntry(Guid Id, Guid ProposalId, long Version, DateTimeOffset At, string? Outcome = null);

/// <summary>Every decision, on a priority, a service redesign or a curriculum change, findable by its own id.</summary>
public sealed partial class DecisionIndex : EventProjection
{
    public static DecisionEntry Create(IEvent<PriorityDecided> e) => Of(e.Data, e.StreamId, e.Version);

    public static DecisionEntry Create(IEvent<ChangeDecided> e) => Of(e.Data, e.StreamId, e.Version);

    /// <summary>The entry a decision makes, the same whether appended or rebuilt.</summary>
    public static DecisionEntry Of(PriorityDecided d, Guid stream, long version) =>
        new(d.DecisionId, stream, version, d.At, WireValues<DecisionOutcome>.Name(d.Outcome));

    public static DecisionEntry Of(ChangeDecided d, Guid stream, long version) =>
        new(d.DecisionId, stream, version, d.At, WireValues<ChangeOutcome>.Name(d.Outcome));
}
