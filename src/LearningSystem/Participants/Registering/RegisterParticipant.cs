using FluentValidation;
using LearningSystem.Hosting;
using Wolverine.Http;
using Wolverine.Marten;

namespace LearningSystem.Participants.Registering;

public sealed record RegisterParticipant(string? DisplayName, string? StakeholderGroup, string? OrganisationRole);

public sealed class RegisterParticipantValidator : AbstractValidator<RegisterParticipant>
{
    public RegisterParticipantValidator()
    {
        RuleFor(x => x.DisplayName).NotEmpty().MaximumLength(200);
        RuleFor(x => x.StakeholderGroup).NotEmpty()
            .Must(WireValues<StakeholderGroup>.IsDefined).WithMessage($"'{{PropertyValue}}' is not one of: {WireValues<StakeholderGroup>.AllowedValues}.");
        RuleFor(x => x.OrganisationRole).MaximumLength(200);
    }
}

public static class RegisterParticipantEndpoint
{
    public static ParticipantRegistered Decide(Guid id, RegisterParticipant command, DateTimeOffset now) =>
        new(id,
            command.DisplayName!.Trim(),
            WireValues<StakeholderGroup>.Parse(command.StakeholderGroup!),
            string.IsNullOrWhiteSpace(command.OrganisationRole) ? null : command.OrganisationRole.Trim(),
            now);

    [WolverinePost("/api/participants", OperationId = "registerParticipant"), Tags("Participants")]
    public static (Created, IStartStream) Post(RegisterParticipant command, TimeProvider clock)
    {
        var id = Guid.CreateVersion7();
        var registered = Decide(id, command, clock.GetUtcNow());
        return (Created.At("/api/participants", id, 1), MartenOps.StartStream<Participant>(id, registered));
    }
}
