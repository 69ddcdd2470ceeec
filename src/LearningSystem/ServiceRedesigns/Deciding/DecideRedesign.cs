using FluentValidation;
using LearningSystem.Hosting;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using Marten;
using Wolverine.Http;

namespace LearningSystem.ServiceRedesigns.Deciding;

public sealed record DecideRedesign(Guid? By, string? Outcome, string? Rationale, IReadOnlyList<Guid>? BasedOnPriorities, IReadOnlyList<Guid>? DecisionMakers) : IActedBy
{
    Guid? IActedBy.ActingParticipant => By;
}

public sealed class DecideRedesignValidator : AbstractValidator<DecideRedesign>
{
    public DecideRedesignValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Outcome).NotEmpty().Must(WireValues<RedesignOutcome>.IsDefined).WithMessage(WireValues<RedesignOutcome>.NotOneOf);
        RuleFor(x => x.Rationale).NotEmpty().MaximumLength(8_000);
        RuleFor(x => x.DecisionMakers).NotEmpty().WithMessage("Name the participants who made the decision.");
    }
}

public static class DecideRedesignEndpoint
{
    /// <summary>A redesign is decided once; an approval rests on at least one agreed priority.</summary>
    public static ServiceRedesignDecided Decide(
        ServiceRedesign redesign, DecideRedesign command, Actor actor, IReadOnlyCollection<Priority> priorities, IReadOnlyCollection<Guid> makersFound, DateTimeOffset now)
    {
        if (redesign.Decision is { } earlier)
        {
            throw Rejected.Conflict($"Redesign {redesign.Id} was already {earlier.Outcome.ToString().ToLowerInvariant()} on {earlier.At:O}.");
        }

        var outcome = WireValues<RedesignOutcome>.Parse(command.Outcome!);
        var basedOn = (command.BasedOnPriorities ?? []).Distinct().ToArray();
        if (basedOn.Except(priorities.Select(p => p.Id)).ToArray() is { Length: > 0 } unknown)
        {
            throw Rejected.NotFound($"No priority {string.Join(", ", unknown)} is set.", "basedOnPriorities");
        }

        if (priorities.Where(p => p.Status != PriorityStatus.Decided || p.Decision!.Outcome != DecisionOutcome.Agreed).Select(p => p.Id).ToArray() is { Length: > 0 } notAgreed)
        {
            throw Rejected.Conflict($"Priority {string.Join(", ", notAgreed)} is not agreed; a redesign rests only on agreed priorities.");
        }

        if (outcome == RedesignOutcome.Approved && basedOn.Length == 0)
        {
            throw Rejected.Invalid("An approval names the agreed priorities it serves.", "basedOnPriorities");
        }

        var makers = command.DecisionMakers!.Distinct().ToArray();
        if (makers.Except(makersFound).ToArray() is { Length: > 0 } unknownMakers)
        {
            throw Rejected.NotFound($"No participant {string.Join(", ", unknownMakers)} is registered.", "decisionMakers");
        }

        return new ServiceRedesignDecided(redesign.Id, outcome, command.Rationale!.Trim(), basedOn, makers, actor.Id, actor.Group, now);
    }

    [WolverinePost("/api/service-redesigns/{id}/decision", OperationId = "decideServiceRedesign"), Tags("Service redesigns")]
    public static async Task<Accepted> Post(Guid id, DecideRedesign command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var act = await RedesignActs.BeginAsync(id, command.By!.Value, session, clock, ct);
        var priorities = await session.LoadManyAsync<Priority>(ct, (command.BasedOnPriorities ?? []).Distinct());
        var makers = await session.LoadManyAsync<Participant>(ct, command.DecisionMakers!.Distinct());
        return RedesignActs.Append(act, Decide(act.State, command, act.Actor, priorities, makers.Select(m => m.Id).ToArray(), act.Now));
    }
}
