using FluentValidation;
using LearningSystem.Negotiating;
using LearningSystem.Negotiating.Objecting;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Priorities.Deciding;

public sealed record DecidePriority(
    Guid? By, string? Outcome, string? Rationale, IReadOnlyList<Guid>? DecisionMakers,
    IReadOnlyList<Guid>? AnswersObjections, IReadOnlyList<Guid>? AnswersAmendments, long? ExpectedVersion) : IMove;

public sealed class DecidePriorityValidator : AbstractValidator<DecidePriority>
{
    public DecidePriorityValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Outcome).NotEmpty()
            .OneOf(WireValues<DecisionOutcome>.Allowed);
        RuleFor(x => x.Rationale).NotEmpty().MaximumLength(8_000);
        RuleFor(x => x.DecisionMakers).NotEmpty().WithMessage("Name the participants who made the decision.");
        RuleForEach(x => x.DecisionMakers).NotEmpty();
    }
}

public static class DecidePriorityEndpoint
{
    /// <param name="objectionsFound">The named objections found raised on this priority.</param>
    public static PriorityDecided Decide(
        Priority priority, DecidePriority command, Actor actor, IReadOnlyCollection<Guid> decisionMakersFound, IReadOnlyCollection<Guid> objectionsFound, DateTimeOffset now, Guid decisionId)
    {
        priority.EnsureOpen();
        var makers = command.DecisionMakers!.Distinct().ToArray();
        if (makers.Except(decisionMakersFound).ToArray() is { Length: > 0 } unknownMakers)
        {
            throw Rejected.NotFound($"No participant {string.Join(", ", unknownMakers)} is registered.", "decisionMakers");
        }

        var (objections, amendments) = priority.Negotiation.EnsureAnswers(priority.Id, command.AnswersObjections, objectionsFound, command.AnswersAmendments);
        return new PriorityDecided(priority.Id, WireValues<DecisionOutcome>.Parse(command.Outcome!), command.Rationale!.Trim(),
            makers, objections, amendments, actor.Id, actor.Group, now, decisionId);
    }

    [WolverinePost("/api/priorities/{id}/decision", OperationId = "decidePriority"), Tags(PrioritiesModule.NegotiationTag)]
    public static async Task<Accepted> Post(Guid id, DecidePriority command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var move = await Moves.BeginAsync<Priority>(id, command, versionRequired: true, http, session, clock, ct);
        var batch = session.CreateBatchQuery();
        var makers = batch.LoadMany<Participant>().ById([.. command.DecisionMakers!.Distinct()]);
        var objections = Objections.Named(batch, command.AnswersObjections);
        await batch.Execute(ct);
        return Moves.Append(move, Decide(move.State, command, move.Actor, (await makers).Select(m => m.Id).ToArray(),
            Objections.On(id, await objections), move.Now, Guid.CreateVersion7()));
    }
}
