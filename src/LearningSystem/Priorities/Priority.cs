using LearningSystem.Negotiating;
using LearningSystem.Participants;

namespace LearningSystem.Priorities;

public enum PriorityStatus
{
    Open,
    Withdrawn,
    Merged,
    Decided,
}

public enum DecisionOutcome
{
    Agreed,
    Rejected,
}

// Every move (the shared ones live in Negotiating) records who made it and their stakeholder group at that moment, so that provenance never
// depends on what the participant's group is later.

public sealed record PrioritySet(
    Guid PriorityId, string Statement, string Rationale, Guid SetBy, StakeholderGroup SetByGroup,
    IReadOnlyList<Guid> Redesigns, IReadOnlyList<Guid> Feedback, Guid? CounterTo, DateTimeOffset SetAt, Guid? RoundId = null);

public sealed record CounterProposed(Guid PriorityId, Guid CounterProposalId, Guid By, StakeholderGroup ByGroup, string? Reason, DateTimeOffset At);

public sealed record PriorityMerged(Guid PriorityId, Guid Into, Guid By, StakeholderGroup ByGroup, string? Reason, DateTimeOffset At);

public sealed record PriorityAbsorbed(Guid PriorityId, Guid From, Guid By, StakeholderGroup ByGroup, string? Reason, DateTimeOffset At);

public sealed record PriorityWithdrawn(Guid PriorityId, Guid By, StakeholderGroup ByGroup, string? Reason, DateTimeOffset At);

public sealed record PriorityDecided(
    Guid PriorityId, DecisionOutcome Outcome, string Rationale, IReadOnlyList<Guid> DecisionMakers,
    IReadOnlyList<Guid> AnswersObjections, IReadOnlyList<Guid> AnswersAmendments,
    Guid By, StakeholderGroup ByGroup, DateTimeOffset At, Guid DecisionId);

public sealed record DecisionReopened(Guid PriorityId, Guid By, StakeholderGroup ByGroup, string Reason, DateTimeOffset At);

public sealed record Decision(DecisionOutcome Outcome, string Rationale, IReadOnlyList<Guid> DecisionMakers, Guid By, DateTimeOffset At, Guid Id);

/// <summary>A priority as it stands after its negotiation so far. Kept inline, so it is also its view.</summary>
public sealed partial record Priority(
    Guid Id,
    string Statement,
    string Rationale,
    Guid SetBy,
    StakeholderGroup SetByGroup,
    IReadOnlyList<Guid> Redesigns,
    IReadOnlyList<Guid> Feedback,
    Guid? CounterTo,
    DateTimeOffset SetAt,
    Guid? RoundId) : INegotiable
{
    public long Version { get; init; }
    public PriorityStatus Status { get; init; } = PriorityStatus.Open;
    public Negotiation Negotiation { get; init; } = Negotiation.Start(Statement, SetBy, SetAt);
    public IReadOnlyList<Guid> CounterProposals { get; init; } = [];
    public Guid? MergedInto { get; init; }
    public IReadOnlyList<Guid> MergedFrom { get; init; } = [];
    public Decision? Decision { get; init; }

    public static Priority Create(PrioritySet e) =>
        new(e.PriorityId, e.Statement, e.Rationale, e.SetBy, e.SetByGroup, e.Redesigns, e.Feedback, e.CounterTo, e.SetAt, e.RoundId);

    public INegotiable Negotiated(Negotiation negotiation) => this with { Negotiation = negotiation, Statement = negotiation.Wording };

    // The moves every proposal kind shares, written once in SharedMoves.
    public static Priority? Apply(ProposalEndorsed e, Priority p) => SharedMoves.Apply(e, p);

    public static Priority? Apply(ObjectionRaised e, Priority p) => SharedMoves.Apply(e, p);

    public static Priority? Apply(ObjectionWithdrawn e, Priority p) => SharedMoves.Apply(e, p);

    public static Priority? Apply(AmendmentProposed e, Priority p) => SharedMoves.Apply(e, p);

    public static Priority? Apply(AmendmentAccepted e, Priority p) => SharedMoves.Apply(e, p);

    public static Priority? Apply(AmendmentRejected e, Priority p) => SharedMoves.Apply(e, p);

    public static Priority Apply(CounterProposed e, Priority p) => p with { CounterProposals = [.. p.CounterProposals, e.CounterProposalId] };

    public static Priority Apply(PriorityMerged e, Priority p) => p with { Status = PriorityStatus.Merged, MergedInto = e.Into };

    public static Priority Apply(PriorityAbsorbed e, Priority p) => p with { MergedFrom = [.. p.MergedFrom, e.From] };

    public static Priority Apply(PriorityWithdrawn e, Priority p) => p with { Status = PriorityStatus.Withdrawn };

    // The objections a decision answers close in their own documents (Objecting/Objections.cs).
    public static Priority Apply(PriorityDecided e, Priority p) => p with
    {
        Status = PriorityStatus.Decided,
        Decision = new Decision(e.Outcome, e.Rationale, e.DecisionMakers, e.By, e.At, e.DecisionId),
    };

    public static Priority Apply(DecisionReopened e, Priority p) => p with { Status = PriorityStatus.Open, Decision = null };

    /// <summary>Refuses any move on a priority that is no longer being negotiated, saying why.</summary>
    public void EnsureOpen()
    {
        var why = Status switch
        {
            PriorityStatus.Decided => $"Priority {Id} was decided ({Decision!.Outcome}) on {Decision.At:O}; reopen it, with a reason, before making further moves.",
            PriorityStatus.Withdrawn => $"Priority {Id} was withdrawn by the participant who set it.",
            PriorityStatus.Merged => $"Priority {Id} was merged into priority {MergedInto}; negotiate that one instead.",
            _ => null,
        };

        if (why is not null)
        {
            throw new Rejected(RejectionKind.Conflict, why);
        }
    }
}
