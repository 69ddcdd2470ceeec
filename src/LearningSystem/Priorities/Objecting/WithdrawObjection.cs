using FluentValidation;
using LearningSystem.Hosting;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;

namespace LearningSystem.Priorities.Objecting;

public sealed record WithdrawObjection(Guid? By, string? Reason, long? ExpectedVersion) : IMove;

public sealed class WithdrawObjectionValidator : AbstractValidator<WithdrawObjection>
{
    public WithdrawObjectionValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Reason).MaximumLength(4_000);
    }
}

public static class WithdrawObjectionEndpoint
{
    public static ObjectionWithdrawn Decide(Priority priority, Guid objectionId, WithdrawObjection command, Actor actor, DateTimeOffset now)
    {
        priority.EnsureOpen();
        var objection = priority.Objections.SingleOrDefault(o => o.Id == objectionId)
                        ?? throw Rejected.NotFound($"Priority {priority.Id} has no objection {objectionId}.");
        if (objection.By != actor.Id)
        {
            throw Rejected.Conflict("Only the participant who raised an objection can withdraw it.");
        }

        if (!objection.Open)
        {
            throw Rejected.Conflict($"Objection {objectionId} is no longer open.");
        }

        return new ObjectionWithdrawn(priority.Id, objectionId, actor.Id, actor.Group, TextInput.Optional(command.Reason), now);
    }

    [WolverinePost("/api/priorities/{id}/objections/{objectionId}/withdrawal", OperationId = "withdrawObjection"), Tags("Priority negotiation")]
    public static async Task<Accepted> Post(
        Guid id, Guid objectionId, WithdrawObjection command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var move = await Moves.BeginAsync(id, command, versionRequired: false, http, session, clock, ct);
        return Moves.Append(move, Decide(move.Priority, objectionId, command, move.Actor, move.Now));
    }
}
