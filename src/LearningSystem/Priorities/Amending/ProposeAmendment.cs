using FluentValidation;
using LearningSystem.Hosting;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;

namespace LearningSystem.Priorities.Amending;

public sealed record ProposeAmendment(Guid? By, string? Wording, string? Reason, long? ExpectedVersion) : IMove;

public sealed class ProposeAmendmentValidator : AbstractValidator<ProposeAmendment>
{
    public ProposeAmendmentValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Wording).NotEmpty().MaximumLength(1_000);
        RuleFor(x => x.Reason).NotEmpty().MaximumLength(4_000);
    }
}

public static class ProposeAmendmentEndpoint
{
    public static AmendmentProposed Decide(Priority priority, ProposeAmendment command, Actor actor, Guid amendmentId, DateTimeOffset now)
    {
        priority.EnsureOpen();
        var wording = command.Wording!.Trim();
        if (wording == priority.Statement)
        {
            throw Rejected.Invalid("The amendment's wording is the priority's current wording.", "wording");
        }

        return new AmendmentProposed(priority.Id, amendmentId, actor.Id, actor.Group, wording, command.Reason!.Trim(), now);
    }

    [WolverinePost("/api/priorities/{id}/amendments", OperationId = "proposeAmendment"), Tags("Priority negotiation")]
    public static async Task<Accepted> Post(Guid id, ProposeAmendment command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var move = await Moves.BeginAsync(id, command, versionRequired: true, http, session, clock, ct);
        return Moves.Append(move, Decide(move.Priority, command, move.Actor, Guid.CreateVersion7(), move.Now));
    }
}
