using FluentValidation;
using LearningSystem.Negotiating.Objecting;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Negotiating.Deciding;

public enum ChangeOutcome
{
    Approved,
    Rejected,
}

/// <summary>
/// A change (a service redesign or a curriculum change) approved or rejected, with a rationale linked to the
/// agreed priorities it serves, and the objections and amendments the decision answers.
/// </summary>
public sealed record ChangeDecided(
    Guid ProposalId, ChangeOutcome Outcome, string Rationale, IReadOnlyList<Guid> BasedOnPriorities, IReadOnlyList<Guid> DecisionMakers,
    IReadOnlyList<Guid> AnswersObjections, IReadOnlyList<Guid> AnswersAmendments, Guid By, StakeholderGroup ByGroup, DateTimeOffset At, Guid DecisionId);

public sealed record ChangeDecision(
    ChangeOutcome Outcome, string Rationale, IReadOnlyList<Guid> BasedOnPriorities, IReadOnlyList<Guid> DecisionMakers,
    IReadOnlyList<Guid> AnswersObjections, IReadOnlyList<Guid> AnswersAmendments, Guid By, StakeholderGroup ByGroup, DateTimeOffset At, Guid Id)
{
    public static ChangeDecision Of(ChangeDecided e) =>
        new(e.Outcome, e.Rationale, e.BasedOnPriorities, e.DecisionMakers, e.AnswersObjections, e.AnswersAmendments, e.By, e.ByGroup, e.At, e.DecisionId);
}

/// <summary>A proposed change, negotiated like a priority and then decided once.</summary>
public interface IChange : INegotiable
{
    ChangeDecision? Decision { get; }
}

public sealed record DecideChange(
    Guid? By, string? Outcome, string? Rationale, IReadOnlyList<Guid>? BasedOnPriorities, IReadOnlyList<Guid>? DecisionMakers,
    IReadOnlyList<Guid>? AnswersObjections, IReadOnlyList<Guid>? AnswersAmendments, long? ExpectedVersion) : IMove;

public sealed class DecideChangeValidator : AbstractValidator<DecideChange>
{
    public DecideChangeValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Outcome).NotEmpty().OneOf(WireValues<ChangeOutcome>.Allowed);
        RuleFor(x => x.Rationale).NotEmpty().MaximumLength(8_000);
        RuleFor(x => x.DecisionMakers).NotEmpty().WithMessage("Name the participants who made the decision.");
        RuleForEach(x => x.DecisionMakers).NotEmpty();
        RuleFor(x => x.BasedOnPriorities).Must(p => p is null || p.Count <= 100).WithMessage("Name at most 100 priorities.");
    }
}

public static class DecideChangeEndpoint
{
    /// <summary>A change is decided once, at a known version; an approval rests on at least one agreed priority.</summary>
    public static ChangeDecided Decide(
        IChange change, DecideChange command, Actor actor, IReadOnlyCollection<Priority> priorities, IReadOnlyCollection<Guid> makersFound,
        IReadOnlyCollection<Guid> objectionsFound, DateTimeOffset now, Guid decisionId)
    {
        change.EnsureOpen();
        var outcome = WireValues<ChangeOutcome>.Parse(command.Outcome!);
        var basedOn = (command.BasedOnPriorities ?? []).Distinct().ToArray();
        if (basedOn.Except(priorities.Select(p => p.Id)).ToArray() is { Length: > 0 } unknown)
        {
            throw Rejected.NotFound($"No priority {string.Join(", ", unknown)} is set.", "basedOnPriorities");
        }

        if (priorities.Where(p => p.Status != PriorityStatus.Decided || p.Decision!.Outcome != DecisionOutcome.Agreed).Select(p => p.Id).ToArray() is { Length: > 0 } notAgreed)
        {
            throw Rejected.Conflict($"Priority {string.Join(", ", notAgreed)} is not agreed; a change rests only on agreed priorities.");
        }

        if (outcome == ChangeOutcome.Approved && basedOn.Length == 0)
        {
            throw Rejected.Invalid("An approval names the agreed priorities it serves.", "basedOnPriorities");
        }

        var makers = command.DecisionMakers!.Distinct().ToArray();
        if (makers.Except(makersFound).ToArray() is { Length: > 0 } unknownMakers)
        {
            throw Rejected.NotFound($"No participant {string.Join(", ", unknownMakers)} is registered.", "decisionMakers");
        }

        var (objections, amendments) = change.Negotiation.EnsureAnswers(change.Id, command.AnswersObjections, objectionsFound, command.AnswersAmendments);
        return new ChangeDecided(change.Id, outcome, command.Rationale!.Trim(), basedOn, makers, objections, amendments, actor.Id, actor.Group, now, decisionId);
    }

    /// <summary><c>kind</c> is <c>service-redesigns</c> or <c>curriculum-changes</c>; priorities are decided at their own route.</summary>
    [WolverinePost("/api/{kind}/{id}/decision", OperationId = "decideChange"), Tags(NegotiatingModule.Tag)]
    public static async Task<Accepted> Post(
        string kind, Guid id, DecideChange command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (kind is not (Moves.ServiceRedesigns or Moves.CurriculumChanges))
        {
            throw Rejected.NotFound($"Nothing called '{kind}' is decided here; changes are decided at service-redesigns and curriculum-changes.");
        }

        var batch = session.CreateBatchQuery();
        var priorities = batch.LoadMany<Priority>().ById([.. (command.BasedOnPriorities ?? []).Distinct()]);
        var makers = batch.LoadMany<Participant>().ById([.. command.DecisionMakers!.Distinct()]);
        // An objection is never removed or moved to another proposal, so it can be read before the lock.
        var objections = Objections.Named(batch, command.AnswersObjections);
        await batch.Execute(ct);
        var (found, makersFound, objectionsFound) = (await priorities, (await makers).Select(m => m.Id).ToArray(), Objections.On(id, await objections));
        return await Moves.MakeAsync(kind, id, command, versionRequired: true,
            (change, actor, now) => Decide((IChange)change, command, actor, found, makersFound, objectionsFound, now, Guid.CreateVersion7()), http, session, clock, ct);
    }
}
