using JasperFx.Events;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Priorities;
using Marten.Events.Projections;

namespace LearningSystem.Decisions;

/// <summary>Where a decision was made: the proposal's stream and the version the decision took it to.</summary>
public sealed record DecisionEntry(Guid Id, Guid ProposalId, long Version, DateTimeOffset At);

/// <summary>Every decision, on a priority, a service redesign or a curriculum change, findable by its own id.</summary>
public sealed partial class DecisionIndex : EventProjection
{
    public static DecisionEntry Create(IEvent<PriorityDecided> e) => new(e.Data.DecisionId, e.StreamId, e.Version, e.Data.At);

    public static DecisionEntry Create(IEvent<ChangeDecided> e) => new(e.Data.DecisionId, e.StreamId, e.Version, e.Data.At);
}
