using FluentValidation;
using LearningSystem.Hosting;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;

namespace LearningSystem.Priorities.Amending;

public sealed record RejectAmendment(Guid? By, string? Reason, long? ExpectedVersion) : IMove;

public sealed class RejectAmendmentValidator : AbstractValidator<RejectAmendment>
{
    public RejectAmendmentValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Reason).NotEmpty().MaximumLength(4_000);
    }
}

public static class RejectAmendmentEndpoint
{
    public static AmendmentRejected Decide(Priority priority, Guid amendmentId, RejectAmendment command, Actor actor, DateTimeOffset now)
    {
        priority.EnsureAmendmentDecidable(amendmentId, actor);
        return new AmendmentRejected(priority.Id, amendmentId, actor.Id, actor.Group, command.Reason!.Trim(), now);
    }

    [WolverinePost("/api/priorities/{id}/amendments/{amendmentId}/rejection", OperationId = "rejectAmendment"), Tags("Priority negotiation")]
    public static async Task<Accepted> Post(
        Guid id, Guid amendmentId, RejectAmendment command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var move = await Moves.BeginAsync(id, command, versionRequired: true, http, session, clock, ct);
        return Moves.Append(move, Decide(move.Priority, amendmentId, command, move.Actor, move.Now));
    }
}
