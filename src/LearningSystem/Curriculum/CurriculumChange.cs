using LearningSystem.Negotiating;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Participants;
using LearningSystem.Http;

namespace LearningSystem.Curriculum;

/// <summary>How someone co-designs a curriculum change: as a patient educator, a peer (peer-assisted learning), another profession (interprofessional education), or as faculty.</summary>
public enum CoDesignRole
{
    PatientEducator,
    PeerStudent,
    OtherProfession,
    Educator,
}

/// <summary>A co-designer, with their stakeholder group when they joined.</summary>
public sealed record CoDesigner(Guid Participant, StakeholderGroup Group, CoDesignRole Role);

/// <summary>A teacher of a session, with their stakeholder group at the time; patients teach too.</summary>
public sealed record Teacher(Guid Participant, StakeholderGroup Group);

/// <summary>A change to a course or module: the learning outcome it aims at (the wording amendments reword), what changes, and who co-designs it.</summary>
public sealed record CurriculumChangeProposed(
    Guid CurriculumChangeId, string Course, string? Module, string LearningOutcome, string ProposedChange,
    IReadOnlyList<CoDesigner> CoDesigners, IReadOnlyList<Guid> Evidence, Guid ProposedBy, StakeholderGroup ProposerGroup, DateTimeOffset ProposedAt);

/// <summary>A teaching session of an approved change, recorded when delivered.</summary>
public sealed record TeachingSessionDelivered(
    Guid CurriculumChangeId, Guid SessionId, string Title, DateTimeOffset DeliveredOn, IReadOnlyList<Teacher> Teachers, int Learners,
    Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

public sealed record TeachingSession(Guid Id, string Title, DateTimeOffset DeliveredOn, IReadOnlyList<Teacher> Teachers, int Learners, Guid By, StakeholderGroup ByGroup);

/// <summary>
/// A curriculum change as it stands: negotiated and decided like a service redesign, then taught. It holds
/// references to people and feedback, never copies of their text.
/// </summary>
public sealed partial record CurriculumChange(
    Guid Id,
    string Course,
    string? Module,
    string LearningOutcome,
    string ProposedChange,
    IReadOnlyList<CoDesigner> CoDesigners,
    IReadOnlyList<Guid> Evidence,
    Guid ProposedBy,
    StakeholderGroup ProposerGroup,
    DateTimeOffset ProposedAt) : IChange
{
    public long Version { get; init; }
    public Negotiation Negotiation { get; init; } = Negotiation.Start(LearningOutcome, ProposedBy, ProposedAt);
    public ChangeDecision? Decision { get; init; }
    public IReadOnlyList<TeachingSession> Sessions { get; init; } = [];

    public static CurriculumChange Create(CurriculumChangeProposed e) =>
        new(e.CurriculumChangeId, e.Course, e.Module, e.LearningOutcome, e.ProposedChange, e.CoDesigners, e.Evidence, e.ProposedBy, e.ProposerGroup, e.ProposedAt);

    public INegotiable Negotiated(Negotiation negotiation) => this with { Negotiation = negotiation, LearningOutcome = negotiation.Wording };

    // The moves every proposal kind shares, written once in SharedMoves.
    public static CurriculumChange? Apply(ProposalEndorsed e, CurriculumChange c) => SharedMoves.Apply(e, c);

    public static CurriculumChange? Apply(ObjectionRaised e, CurriculumChange c) => SharedMoves.Apply(e, c);

    public static CurriculumChange? Apply(ObjectionWithdrawn e, CurriculumChange c) => SharedMoves.Apply(e, c);

    public static CurriculumChange? Apply(AmendmentProposed e, CurriculumChange c) => SharedMoves.Apply(e, c);

    public static CurriculumChange? Apply(AmendmentAccepted e, CurriculumChange c) => SharedMoves.Apply(e, c);

    public static CurriculumChange? Apply(AmendmentRejected e, CurriculumChange c) => SharedMoves.Apply(e, c);

    public static CurriculumChange? Apply(ChangeDecided e, CurriculumChange c) => Negotiation.IsElsewhere(c) ? null :
        c with { Decision = ChangeDecision.Of(e) };

    public static CurriculumChange Apply(TeachingSessionDelivered e, CurriculumChange c) =>
        c with { Sessions = [.. c.Sessions, new TeachingSession(e.SessionId, e.Title, e.DeliveredOn, e.Teachers, e.Learners, e.By, e.ByGroup)] };

    /// <summary>Negotiation ends with the decision; what follows is teaching.</summary>
    public void EnsureOpen()
    {
        if (Decision is { } decided)
        {
            throw Rejected.Conflict($"Curriculum change {Id} was already {WireValues<ChangeOutcome>.Name(decided.Outcome)} on {decided.At:O}.");
        }
    }
}
