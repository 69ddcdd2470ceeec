using FluentValidation;
using LearningSystem.Negotiating;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Priorities.Withdrawing;

public sealed record WithdrawPriority(Guid? By, string? Reason, long? ExpectedVersion) : IMove;

public sealed class WithdrawPriorityValidator : AbstractValidator<WithdrawPriority>
{
    public WithdrawPriorityValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Reason).MaximumLength(4_000);
    }
}

public static class WithdrawPriorityEndpoint
{
    public static PriorityWithdrawn Decide(Priority priority, WithdrawPriority command, Actor actor, DateTimeOffset now)
    {
        priority.EnsureOpen();
        if (priority.SetBy != actor.Id)
        {
            throw Rejected.Conflict("Only the participant who set a priority can withdraw it.");
        }

        return new PriorityWithdrawn(priority.Id, actor.Id, actor.Group, TextInput.Optional(command.Reason), now);
    }

    [WolverinePost("/api/priorities/{id}/withdrawal", OperationId = "withdrawPriority"), Tags(PrioritiesModule.NegotiationTag)]
    public static async Task<Accepted> Post(Guid id, WithdrawPriority command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var move = await Moves.BeginAsync<Priority>(id, command, versionRequired: false, http, session, clock, ct);
        return Moves.Append(move, Decide(move.State, command, move.Actor, move.Now));
    }
}
