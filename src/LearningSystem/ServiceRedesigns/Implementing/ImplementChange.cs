using LearningSystem.Negotiating.Deciding;
using FluentValidation;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.ServiceRedesigns.Implementing;

public sealed record ImplementChange(Guid? By, string? WhatChanged, DateTimeOffset? ImplementedOn) : IActedBy
{
    Guid? IActedBy.ActingParticipant => By;
}

public sealed class ImplementChangeValidator : AbstractValidator<ImplementChange>
{
    public ImplementChangeValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.WhatChanged).NotEmpty().MaximumLength(8_000);
        RuleFor(x => x.ImplementedOn).NotNull();
    }
}

public static class ImplementChangeEndpoint
{
    public static ChangeImplemented Decide(ServiceRedesign redesign, ImplementChange command, Actor actor, Guid implementationId, DateTimeOffset now) =>
        redesign.Decision?.Outcome == ChangeOutcome.Approved
            ? new ChangeImplemented(redesign.Id, implementationId, command.WhatChanged!.Trim(), command.ImplementedOn!.Value, actor.Id, actor.Group, now)
            : throw Rejected.Conflict($"Redesign {redesign.Id} is not approved; only an approved redesign is implemented.");

    [WolverinePost("/api/service-redesigns/{id}/implementations", OperationId = "implementChange"), Tags(ServiceRedesignsModule.Tag)]
    public static async Task<Accepted> Post(Guid id, ImplementChange command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var act = await RedesignActs.BeginAsync(id, command.By!.Value, session, clock, ct);
        var implemented = Decide(act.State, command, act.Actor, Guid.CreateVersion7(), act.Now);
        return RedesignActs.Append(act, implemented, implemented.ImplementationId);
    }
}
