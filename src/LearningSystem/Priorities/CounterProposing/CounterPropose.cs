using FluentValidation;
using LearningSystem.Negotiating;
using LearningSystem.Participants;
using LearningSystem.Rounds.Submitting;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Priorities.CounterProposing;

/// <summary>An alternative priority, set by the counter-proposer and linked to this one both ways.</summary>
public sealed record CounterPropose(Guid? By, string? Statement, string? Rationale, string? Reason, long? ExpectedVersion) : IMove;

public sealed class CounterProposeValidator : AbstractValidator<CounterPropose>
{
    public CounterProposeValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Statement).NotEmpty().MaximumLength(1_000);
        RuleFor(x => x.Rationale).NotEmpty().MaximumLength(4_000);
        RuleFor(x => x.Reason).MaximumLength(4_000);
    }
}

public static class CounterProposeEndpoint
{
    public static (CounterProposed Original, PrioritySet Alternative) Decide(
        Priority priority, CounterPropose command, Actor actor, Guid alternativeId, DateTimeOffset now)
    {
        priority.EnsureOpen();
        return (
            new CounterProposed(priority.Id, alternativeId, actor.Id, actor.Group, TextInput.Optional(command.Reason), now),
            new PrioritySet(alternativeId, command.Statement!.Trim(), command.Rationale!.Trim(), actor.Id, actor.Group, priority.Redesigns, priority.Feedback, priority.Id, now, priority.RoundId));
    }

    [WolverinePost("/api/priorities/{id}/counter-proposals", OperationId = "counterPropose"), Tags(PrioritiesModule.NegotiationTag)]
    public static async Task<Accepted> Post(Guid id, CounterPropose command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var move = await Moves.BeginAsync<Priority>(id, command, versionRequired: false, http, session, clock, ct);
        var (original, alternative) = Decide(move.State, command, move.Actor, Guid.CreateVersion7(), move.Now);
        session.Events.StartStream<Priority>(alternative.PriorityId, alternative);
        if (alternative.RoundId is { } round)
        {
            await SubmitPriority.IntoRoundAsync(session, round, alternative.PriorityId, move.Actor, move.Now, ct);
        }

        return Moves.Append(move, original);
    }
}
