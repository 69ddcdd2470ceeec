using FluentValidation;
using LearningSystem.PersonalData;
using Marten;
using Wolverine.Http;
using Wolverine.Marten;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Participants.Registering;

/// <summary><c>consent</c> defaults to service improvement, the purpose every co-creation act serves.</summary>
public sealed record RegisterParticipant(string? DisplayName, string? StakeholderGroup, string? OrganisationRole, IReadOnlyList<string>? Consent = null) : IActedByClient;

public sealed class RegisterParticipantValidator : AbstractValidator<RegisterParticipant>
{
    public RegisterParticipantValidator()
    {
        RuleFor(x => x.DisplayName).NotEmpty().MaximumLength(200);
        RuleFor(x => x.StakeholderGroup).NotEmpty()
            .OneOf(WireValues<StakeholderGroup>.Allowed);
        RuleFor(x => x.OrganisationRole).MaximumLength(200);
        RuleForEach(x => x.Consent)
            .OneOf(WireValues<ConsentScope>.Allowed);
    }
}

public static class RegisterParticipantEndpoint
{
    public static ParticipantRegistered Decide(Guid id, RegisterParticipant command, DateTimeOffset now) =>
        new(id,
            command.DisplayName!.Trim(),
            WireValues<StakeholderGroup>.Parse(command.StakeholderGroup!),
            TextInput.Optional(command.OrganisationRole),
            command.Consent is null ? [ConsentScope.ServiceImprovement] : ConsentScopes.Parse(command.Consent),
            now);

    [WolverinePost("/api/participants", OperationId = "registerParticipant"), Tags(ParticipantsModule.Tag)]
    public static async Task<(Created, IStartStream)> Post(
        RegisterParticipant command, TimeProvider clock, IDocumentSession session, PersonalDataVault vault, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var registered = await vault.SealForNewSubjectAsync(session, Decide(id, command, clock.GetUtcNow()), ct);
        return (Created.At("/api/participants", id, 1), MartenOps.StartStream<Participant>(id, registered));
    }
}
