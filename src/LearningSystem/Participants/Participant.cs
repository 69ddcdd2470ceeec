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

public sealed record ParticipantRegistered(
    Guid ParticipantId,
    string DisplayName,
    StakeholderGroup StakeholderGroup,
    string? OrganisationRole,
    DateTimeOffset RegisteredAt);

/// <summary>A person taking part in co-creation. Kept inline, so it is also the participant's view.</summary>
public sealed partial record Participant(
    Guid Id,
    string DisplayName,
    StakeholderGroup StakeholderGroup,
    string? OrganisationRole,
    DateTimeOffset RegisteredAt)
{
    public long Version { get; init; }

    public static Participant Create(ParticipantRegistered e) =>
        new(e.ParticipantId, e.DisplayName, e.StakeholderGroup, e.OrganisationRole, e.RegisteredAt);
}
