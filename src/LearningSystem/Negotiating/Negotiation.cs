using LearningSystem.Participants;

namespace LearningSystem.Negotiating;

public enum AmendmentStatus
{
    Proposed,
    Accepted,
    Rejected,
}

// The moves every proposal shares (a priority, a service redesign, a curriculum change). Each names the
// proposal it was made on, who made it and their stakeholder group at that moment, so that provenance never
// depends on what the participant's group is later.

public sealed record ProposalEndorsed(Guid ProposalId, Guid By, StakeholderGroup ByGroup, string? Comment, DateTimeOffset At);

public sealed record ObjectionRaised(Guid ProposalId, Guid ObjectionId, Guid By, StakeholderGroup ByGroup, string Reason, DateTimeOffset At);

public sealed record ObjectionWithdrawn(Guid ProposalId, Guid ObjectionId, Guid By, StakeholderGroup ByGroup, string? Reason, DateTimeOffset At);

public sealed record AmendmentProposed(Guid ProposalId, Guid AmendmentId, Guid By, StakeholderGroup ByGroup, string Wording, string Reason, DateTimeOffset At);

public sealed record AmendmentAccepted(Guid ProposalId, Guid AmendmentId, Guid By, StakeholderGroup ByGroup, string? Reason, DateTimeOffset At);

public sealed record AmendmentRejected(Guid ProposalId, Guid AmendmentId, Guid By, StakeholderGroup ByGroup, string Reason, DateTimeOffset At);

public sealed record Amendment(
    Guid Id, Guid By, StakeholderGroup ByGroup, string Wording, string Reason, AmendmentStatus Status, Guid? DecidedBy, StakeholderGroup? DecidedByGroup = null);

/// <summary>One wording the proposal has had: who proposed it and, after the first, who accepted it.</summary>
public sealed record Wording(string Text, Guid ProposedBy, Guid? AcceptedBy, Guid? Amendment, DateTimeOffset Since);

/// <summary>Anything negotiated by endorsement, objection and amendment before it is decided.</summary>
public interface INegotiable
{
    Guid Id { get; }
    long Version { get; }
    Negotiation Negotiation { get; }

    /// <summary>Refuses any move once the proposal is no longer being negotiated, saying why.</summary>
    void EnsureOpen();

    /// <summary>The proposal with <paramref name="negotiation"/>, its wording (statement, change or outcome) the negotiation's.</summary>
    INegotiable Negotiated(Negotiation negotiation);
}

/// <summary>
/// Where a proposal's negotiation stands: how many endorsed it, objections, amendments and every wording it
/// has had. Each proposal keeps one, and applies the shared move events to it. Who endorsed and who objected
/// are kept one document per endorsement (<see cref="Endorsing.Endorsement"/>) and per objection
/// (<see cref="Objecting.Objection"/>), so a move never rewrites a list that grows with the crowd.
/// </summary>
public sealed record Negotiation(IReadOnlyList<Wording> Wordings)
{
    /// <summary>How many participants endorsed it; who they were is at <c>/endorsements</c>.</summary>
    public int Endorsements { get; init; }
    /// <summary>How many objections were raised; each, open or not, is at <c>/objections</c>.</summary>
    public int ObjectionsRaised { get; init; }
    public IReadOnlyList<Amendment> Amendments { get; init; } = [];

    /// <summary>The wording that stands now.</summary>
    public string Wording => Wordings[^1].Text;

    public static Negotiation Start(string wording, Guid by, DateTimeOffset at) => new([new Wording(wording, by, null, null, at)]);

    /// <summary>
    /// A second guard behind <see cref="ProposalView{T}"/>: should a shared move reach another kind's view (an
    /// append naming no aggregate type), that view gets a blank instance with no negotiation and answers null,
    /// so that nothing is stored.
    /// </summary>
    public static bool IsElsewhere(INegotiable? proposal) => proposal?.Negotiation is null;

    public Negotiation Apply(ProposalEndorsed e) => this with { Endorsements = Endorsements + 1 };

    public Negotiation Apply(ObjectionRaised e) => this with { ObjectionsRaised = ObjectionsRaised + 1 };

    public Negotiation Apply(AmendmentProposed e) =>
        this with { Amendments = [.. Amendments, new Amendment(e.AmendmentId, e.By, e.ByGroup, e.Wording, e.Reason, AmendmentStatus.Proposed, null)] };

    public Negotiation Apply(AmendmentAccepted e)
    {
        var amendment = Amendments.Single(a => a.Id == e.AmendmentId);
        return this with
        {
            Amendments = Amendments.Select(a => a.Id == e.AmendmentId ? a with { Status = AmendmentStatus.Accepted, DecidedBy = e.By, DecidedByGroup = e.ByGroup } : a).ToArray(),
            Wordings = [.. Wordings, new Wording(amendment.Wording, amendment.By, e.By, amendment.Id, e.At)],
        };
    }

    public Negotiation Apply(AmendmentRejected e) =>
        this with { Amendments = Amendments.Select(a => a.Id == e.AmendmentId ? a with { Status = AmendmentStatus.Rejected, DecidedBy = e.By, DecidedByGroup = e.ByGroup } : a).ToArray() };

    /// <summary>
    /// The objections and amendments a decision says it answers, each known to this negotiation;
    /// <paramref name="objectionsFound"/> are the named objections found raised on this proposal.
    /// </summary>
    public (Guid[] Objections, Guid[] Amendments) EnsureAnswers(
        Guid proposalId, IEnumerable<Guid>? objections, IReadOnlyCollection<Guid> objectionsFound, IEnumerable<Guid>? amendments)
    {
        var answered = (objections ?? []).Distinct().ToArray();
        if (answered.Except(objectionsFound).ToArray() is { Length: > 0 } unknownObjections)
        {
            throw Rejected.NotFound($"Proposal {proposalId} has no objection {string.Join(", ", unknownObjections)}.", "answersObjections");
        }

        var considered = (amendments ?? []).Distinct().ToArray();
        if (considered.Except(Amendments.Select(a => a.Id)).ToArray() is { Length: > 0 } unknownAmendments)
        {
            throw Rejected.NotFound($"Proposal {proposalId} has no amendment {string.Join(", ", unknownAmendments)}.", "answersAmendments");
        }

        return (answered, considered);
    }

    /// <summary>An amendment is accepted or rejected once, and by someone other than its proposer.</summary>
    public void EnsureAmendmentDecidable(INegotiable proposal, Guid amendmentId, Actor actor)
    {
        proposal.EnsureOpen();
        var amendment = Amendments.SingleOrDefault(a => a.Id == amendmentId)
                        ?? throw Rejected.NotFound($"Proposal {proposal.Id} has no amendment {amendmentId}.");
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
