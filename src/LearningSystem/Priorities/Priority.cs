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

public enum AmendmentStatus
{
    Proposed,
    Accepted,
    Rejected,
}

// Every move records who made it and their stakeholder group at that moment, so that provenance never
// depends on what the participant's group is later.

public sealed record PrioritySet(
    Guid PriorityId, string Statement, string Rationale, Guid SetBy, StakeholderGroup SetByGroup,
    IReadOnlyList<Guid> Redesigns, IReadOnlyList<Guid> Feedback, Guid? CounterTo, DateTimeOffset SetAt, Guid? RoundId = null);

public sealed record PriorityEndorsed(Guid PriorityId, Guid By, StakeholderGroup ByGroup, string? Comment, DateTimeOffset At);

public sealed record ObjectionRaised(Guid PriorityId, Guid ObjectionId, Guid By, StakeholderGroup ByGroup, string Reason, DateTimeOffset At);

public sealed record ObjectionWithdrawn(Guid PriorityId, Guid ObjectionId, Guid By, StakeholderGroup ByGroup, string? Reason, DateTimeOffset At);

public sealed record AmendmentProposed(Guid PriorityId, Guid AmendmentId, Guid By, StakeholderGroup ByGroup, string Wording, string Reason, DateTimeOffset At);

public sealed record AmendmentAccepted(Guid PriorityId, Guid AmendmentId, Guid By, StakeholderGroup ByGroup, string? Reason, DateTimeOffset At);

public sealed record AmendmentRejected(Guid PriorityId, Guid AmendmentId, Guid By, StakeholderGroup ByGroup, string Reason, DateTimeOffset At);

public sealed record CounterProposed(Guid PriorityId, Guid CounterProposalId, Guid By, StakeholderGroup ByGroup, string? Reason, DateTimeOffset At);

public sealed record PriorityMerged(Guid PriorityId, Guid Into, Guid By, StakeholderGroup ByGroup, string? Reason, DateTimeOffset At);

public sealed record PriorityAbsorbed(Guid PriorityId, Guid From, Guid By, StakeholderGroup ByGroup, string? Reason, DateTimeOffset At);

public sealed record PriorityWithdrawn(Guid PriorityId, Guid By, StakeholderGroup ByGroup, string? Reason, DateTimeOffset At);

public sealed record PriorityDecided(
    Guid PriorityId, DecisionOutcome Outcome, string Rationale, IReadOnlyList<Guid> DecisionMakers,
    IReadOnlyList<Guid> AnswersObjections, IReadOnlyList<Guid> AnswersAmendments,
    Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

public sealed record DecisionReopened(Guid PriorityId, Guid By, StakeholderGroup ByGroup, string Reason, DateTimeOffset At);

/// <summary>An objection; <c>Answered</c> when a decision named it.</summary>
public sealed record Objection(Guid Id, Guid By, StakeholderGroup ByGroup, string Reason, bool Open, DateTimeOffset RaisedAt, bool Answered = false);

public sealed record Amendment(
    Guid Id, Guid By, StakeholderGroup ByGroup, string Wording, string Reason, AmendmentStatus Status, Guid? DecidedBy, StakeholderGroup? DecidedByGroup = null);

/// <summary>One wording the priority has had: who proposed it and, after the first, who accepted it.</summary>
public sealed record Wording(string Text, Guid ProposedBy, Guid? AcceptedBy, Guid? Amendment, DateTimeOffset Since);

public sealed record Decision(DecisionOutcome Outcome, string Rationale, IReadOnlyList<Guid> DecisionMakers, Guid By, DateTimeOffset At);

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
    Guid? RoundId)
{
    public long Version { get; init; }
    public PriorityStatus Status { get; init; } = PriorityStatus.Open;
    public IReadOnlyList<Guid> EndorsedBy { get; init; } = [];
    public IReadOnlyList<Objection> Objections { get; init; } = [];
    public IReadOnlyList<Amendment> Amendments { get; init; } = [];
    public IReadOnlyList<Wording> Wordings { get; init; } = [];
    public IReadOnlyList<Guid> CounterProposals { get; init; } = [];
    public Guid? MergedInto { get; init; }
    public IReadOnlyList<Guid> MergedFrom { get; init; } = [];
    public Decision? Decision { get; init; }

    public static Priority Create(PrioritySet e) =>
        new(e.PriorityId, e.Statement, e.Rationale, e.SetBy, e.SetByGroup, e.Redesigns, e.Feedback, e.CounterTo, e.SetAt, e.RoundId)
        {
            Wordings = [new Wording(e.Statement, e.SetBy, null, null, e.SetAt)],
        };

    public static Priority Apply(PriorityEndorsed e, Priority p) => p with { EndorsedBy = [.. p.EndorsedBy, e.By] };

    public static Priority Apply(ObjectionRaised e, Priority p) =>
        p with { Objections = [.. p.Objections, new Objection(e.ObjectionId, e.By, e.ByGroup, e.Reason, true, e.At)] };

    public static Priority Apply(ObjectionWithdrawn e, Priority p) =>
        p with { Objections = p.Objections.Select(o => o.Id == e.ObjectionId ? o with { Open = false } : o).ToArray() };

    public static Priority Apply(AmendmentProposed e, Priority p) =>
        p with { Amendments = [.. p.Amendments, new Amendment(e.AmendmentId, e.By, e.ByGroup, e.Wording, e.Reason, AmendmentStatus.Proposed, null)] };

    public static Priority Apply(AmendmentAccepted e, Priority p)
    {
        var amendment = p.Amendments.Single(a => a.Id == e.AmendmentId);
        return p with
        {
            Statement = amendment.Wording,
            Amendments = p.Amendments.Select(a => a.Id == e.AmendmentId ? a with { Status = AmendmentStatus.Accepted, DecidedBy = e.By, DecidedByGroup = e.ByGroup } : a).ToArray(),
            Wordings = [.. p.Wordings, new Wording(amendment.Wording, amendment.By, e.By, amendment.Id, e.At)],
        };
    }

    public static Priority Apply(AmendmentRejected e, Priority p) =>
        p with { Amendments = p.Amendments.Select(a => a.Id == e.AmendmentId ? a with { Status = AmendmentStatus.Rejected, DecidedBy = e.By, DecidedByGroup = e.ByGroup } : a).ToArray() };

    public static Priority Apply(CounterProposed e, Priority p) => p with { CounterProposals = [.. p.CounterProposals, e.CounterProposalId] };

    public static Priority Apply(PriorityMerged e, Priority p) => p with { Status = PriorityStatus.Merged, MergedInto = e.Into };

    public static Priority Apply(PriorityAbsorbed e, Priority p) => p with { MergedFrom = [.. p.MergedFrom, e.From] };

    public static Priority Apply(PriorityWithdrawn e, Priority p) => p with { Status = PriorityStatus.Withdrawn };

    // A decision answers the objections it names; they close with it.
    public static Priority Apply(PriorityDecided e, Priority p) => p with
    {
        Status = PriorityStatus.Decided,
        Decision = new Decision(e.Outcome, e.Rationale, e.DecisionMakers, e.By, e.At),
        Objections = p.Objections.Select(o => e.AnswersObjections.Contains(o.Id) ? o with { Open = false, Answered = true } : o).ToArray(),
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

    /// <summary>An amendment is accepted or rejected once, and by someone other than its proposer.</summary>
    public void EnsureAmendmentDecidable(Guid amendmentId, Actor actor)
    {
        EnsureOpen();
        var amendment = Amendments.SingleOrDefault(a => a.Id == amendmentId)
                        ?? throw Rejected.NotFound($"Priority {Id} has no amendment {amendmentId}.");
        if (amendment.Status != AmendmentStatus.Proposed)
        {
            throw Rejected.Conflict($"Amendment {amendmentId} was already {amendment.Status.ToString().ToLowerInvariant()}.");
        }

        if (amendment.By == actor.Id)
        {
            throw Rejected.Conflict("An amendment is accepted or rejected by someone other than the participant who proposed it.");
        }
    }
}
