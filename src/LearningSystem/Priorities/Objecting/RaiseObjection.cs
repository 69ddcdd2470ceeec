using FluentValidation;
using LearningSystem.Hosting;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;

namespace LearningSystem.Priorities.Objecting;

public sealed record RaiseObjection(Guid? By, string? Reason, long? ExpectedVersion) : IMove;

public sealed class RaiseObjectionValidator : AbstractValidator<RaiseObjection>
{
    public RaiseObjectionValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Reason).NotEmpty().MaximumLength(4_000);
    }
}

public static class RaiseObjectionEndpoint
{
    public static ObjectionRaised Decide(Priority priority, RaiseObjection command, Actor actor, Guid objectionId, DateTimeOffset now)
    {
        priority.EnsureOpen();
        return new ObjectionRaised(priority.Id, objectionId, actor.Id, actor.Group, command.Reason!.Trim(), now);
    }

    [WolverinePost("/api/priorities/{id}/objections", OperationId = "raiseObjection"), Tags("Priority negotiation")]
    public static async Task<Accepted> Post(Guid id, RaiseObjection command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var move = await Moves.BeginAsync(id, command, versionRequired: false, http, session, clock, ct);
        return Moves.Append(move, Decide(move.Priority, command, move.Actor, Guid.CreateVersion7(), move.Now));
    }
}
