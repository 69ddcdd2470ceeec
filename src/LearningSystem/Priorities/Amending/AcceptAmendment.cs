using FluentValidation;
using LearningSystem.Hosting;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;

namespace LearningSystem.Priorities.Amending;

public sealed record AcceptAmendment(Guid? By, string? Reason, long? ExpectedVersion) : IMove;

public sealed class AcceptAmendmentValidator : AbstractValidator<AcceptAmendment>
{
    public AcceptAmendmentValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Reason).MaximumLength(4_000);
    }
}

public static class AcceptAmendmentEndpoint
{
    public static AmendmentAccepted Decide(Priority priority, Guid amendmentId, AcceptAmendment command, Actor actor, DateTimeOffset now)
    {
        priority.EnsureAmendmentDecidable(amendmentId, actor);
        return new AmendmentAccepted(priority.Id, amendmentId, actor.Id, actor.Group, TextInput.Optional(command.Reason), now);
    }

    [WolverinePost("/api/priorities/{id}/amendments/{amendmentId}/acceptance", OperationId = "acceptAmendment"), Tags("Priority negotiation")]
    public static async Task<Accepted> Post(
        Guid id, Guid amendmentId, AcceptAmendment command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var move = await Moves.BeginAsync(id, command, versionRequired: true, http, session, clock, ct);
        return Moves.Append(move, Decide(move.Priority, amendmentId, command, move.Actor, move.Now));
    }
}
