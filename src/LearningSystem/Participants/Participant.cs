using LearningSystem.Feedback;
using LearningSystem.PersonalData;

namespace LearningSystem.Participants;

public enum StakeholderGroup
{
    Patient,
    Carer,
    Clinician,
    Nurse,
    AlliedHealthProfessional,
    Student,
    Educator,
    Manager,
    Researcher,
    Other,
}

/// <summary>The display name is sealed under the participant's own key (see PersonalFields).</summary>
public sealed record ParticipantRegistered(
    Guid ParticipantId,
    string DisplayName,
    StakeholderGroup StakeholderGroup,
    string? OrganisationRole,
    IReadOnlyList<ConsentScope> Consent,
    DateTimeOffset RegisteredAt);

public sealed record ParticipantConsentChanged(Guid ParticipantId, IReadOnlyList<ConsentScope> Consent, DateTimeOffset ChangedAt);

/// <summary>Records that the participant's key was destroyed; holds no personal data.</summary>
public sealed record ParticipantErased(Guid ParticipantId, Guid? RequestedBy, string Reason, LegalBasis LegalBasis, DateTimeOffset ErasedAt);

/// <summary>A person taking part in co-creation. Kept inline, so it is also the participant's view.</summary>
public sealed partial record Participant(
    Guid Id,
    string DisplayName,
    StakeholderGroup StakeholderGroup,
    string? OrganisationRole,
    IReadOnlyList<ConsentScope> Consent,
    DateTimeOffset RegisteredAt)
{
    public long Version { get; init; }
    public DateTimeOffset? ErasedAt { get; init; }

    public static Participant Create(ParticipantRegistered e) =>
        new(e.ParticipantId, e.DisplayName, e.StakeholderGroup, e.OrganisationRole, e.Consent, e.RegisteredAt);

    public static Participant Apply(ParticipantConsentChanged e, Participant p) => p with { Consent = e.Consent };

    public static Participant Apply(ParticipantErased e, Participant p) => p with { ErasedAt = e.ErasedAt };
}
