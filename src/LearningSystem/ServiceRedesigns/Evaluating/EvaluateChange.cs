using FluentValidation;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.ServiceRedesigns.Evaluating;

/// <summary>An evaluation of the measured outcomes it names (all of them when it names none); lessons are recorded with it.</summary>
public sealed record EvaluateChange(Guid? By, string? Summary, IReadOnlyList<Guid>? Measurements) : IActedBy
{
    Guid? IActedBy.ActingParticipant => By;
}

public sealed class EvaluateChangeValidator : AbstractValidator<EvaluateChange>
{
    public EvaluateChangeValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Summary).NotEmpty().MaximumLength(8_000);
    }
}

public static class EvaluateChangeEndpoint
{
    public static ChangeEvaluated Decide(ServiceRedesign redesign, EvaluateChange command, Actor actor, Guid evaluationId, DateTimeOffset now)
    {
        if (redesign.Outcomes.Count == 0)
        {
            throw Rejected.Conflict($"Redesign {redesign.Id} has no measured outcome to evaluate yet.");
        }

        var measurements = command.Measurements is { Count: > 0 } named ? named.Distinct().ToArray() : redesign.Outcomes.Select(o => o.Id).ToArray();
        if (measurements.Except(redesign.Outcomes.Select(o => o.Id)).ToArray() is { Length: > 0 } unknown)
        {
            throw Rejected.NotFound($"Redesign {redesign.Id} has no measured outcome {string.Join(", ", unknown)}.", "measurements");
        }

        return new ChangeEvaluated(redesign.Id, evaluationId, command.Summary!.Trim(), measurements, actor.Id, actor.Group, now);
    }

    [WolverinePost("/api/service-redesigns/{id}/evaluations", OperationId = "evaluateChange"), Tags(ServiceRedesignsModule.Tag)]
    public static async Task<Accepted> Post(Guid id, EvaluateChange command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var act = await RedesignActs.BeginAsync(id, command.By!.Value, session, clock, ct);
        var evaluated = Decide(act.State, command, act.Actor, Guid.CreateVersion7(), act.Now);
        return RedesignActs.Append(act, evaluated, evaluated.EvaluationId);
    }
}
