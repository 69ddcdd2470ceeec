using FluentValidation;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.ServiceRedesigns.Measuring;

/// <summary>Without <c>implementationId</c>, the outcome is of the latest implementation.</summary>
public sealed record MeasureOutcome(
    Guid? By, Guid? ImplementationId, string? Measure, decimal? Baseline, decimal? Value, string? Unit,
    DateTimeOffset? PeriodStart, DateTimeOffset? PeriodEnd, string? Source) : IActedBy
{
    Guid? IActedBy.ActingParticipant => By;
}

public sealed class MeasureOutcomeValidator : AbstractValidator<MeasureOutcome>
{
    public MeasureOutcomeValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Measure).NotEmpty().MaximumLength(500);
        RuleFor(x => x.Baseline).NotNull();
        RuleFor(x => x.Value).NotNull();
        RuleFor(x => x.Unit).MaximumLength(50);
        RuleFor(x => x.PeriodStart).NotNull();
        RuleFor(x => x.PeriodEnd).NotNull().GreaterThanOrEqualTo(x => x.PeriodStart).WithMessage("The period ends after it starts.");
        RuleFor(x => x.Source).NotEmpty().MaximumLength(500);
    }
}

public static class MeasureOutcomeEndpoint
{
    public static OutcomeMeasured Decide(ServiceRedesign redesign, MeasureOutcome command, Actor actor, Guid measurementId, DateTimeOffset now)
    {
        if (redesign.Implementations.Count == 0)
        {
            throw Rejected.Conflict($"Redesign {redesign.Id} has no implementation to measure yet.");
        }

        var implementation = command.ImplementationId is { } asked
            ? redesign.Implementations.SingleOrDefault(i => i.Id == asked) ?? throw Rejected.NotFound($"Redesign {redesign.Id} has no implementation {asked}.", "implementationId")
            : redesign.Implementations[^1];

        return new OutcomeMeasured(redesign.Id, measurementId, implementation.Id, command.Measure!.Trim(), command.Baseline!.Value, command.Value!.Value,
            TextInput.Optional(command.Unit), command.PeriodStart!.Value, command.PeriodEnd!.Value, command.Source!.Trim(), actor.Id, actor.Group, now);
    }

    [WolverinePost("/api/service-redesigns/{id}/outcomes", OperationId = "measureOutcome"), Tags(ServiceRedesignsModule.Tag)]
    public static async Task<Accepted> Post(Guid id, MeasureOutcome command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var act = await RedesignActs.BeginAsync(id, command.By!.Value, session, clock, ct);
        var measured = Decide(act.State, command, act.Actor, Guid.CreateVersion7(), act.Now);
        return RedesignActs.Append(act, measured, measured.MeasurementId);
    }
}
