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

    public static ServiceRedesign Create(ServiceRedesignProposed e) =>
        new(e.RedesignId, e.Title, e.Problem, e.ProposedChange, e.Service, e.ProposedBy, e.ProposerGroup, e.Evidence, e.ProposedAt);
}
