using FluentValidation;
using LearningSystem.Negotiating;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Priorities.Deciding;

public sealed record ReopenDecision(Guid? By, string? Reason, long? ExpectedVersion) : IMove;

public sealed class ReopenDecisionValidator : AbstractValidator<ReopenDecision>
{
    public ReopenDecisionValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Reason).NotEmpty().MaximumLength(4_000);
    }
}

public static class ReopenDecisionEndpoint
{
    public static DecisionReopened Decide(Priority priority, ReopenDecision command, Actor actor, DateTimeOffset now) =>
        priority.Status == PriorityStatus.Decided
            ? new DecisionReopened(priority.Id, actor.Id, actor.Group, command.Reason!.Trim(), now)
            : throw Rejected.Conflict($"Priority {priority.Id} is not decided ({priority.Status.ToString().ToLowerInvariant()}); there is nothing to reopen.");

    [WolverinePost("/api/priorities/{id}/reopening", OperationId = "reopenDecision"), Tags(PrioritiesModule.NegotiationTag)]
    public static async Task<Accepted> Post(Guid id, ReopenDecision command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var move = await Moves.BeginAsync<Priority>(id, command, versionRequired: true, http, session, clock, ct);
        return Moves.Append(move, Decide(move.State, command, move.Actor, move.Now));
    }
}
