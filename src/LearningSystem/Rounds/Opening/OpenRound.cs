using FluentValidation;
using LearningSystem.Participants;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Rounds.Opening;

/// <summary><c>invitedGroups</c> may rank; it defaults to, and must include, the groups that must be represented.</summary>
public sealed record OpenRound(string? Question, string? Scope, IReadOnlyList<string>? RequiredGroups, IReadOnlyList<string>? InvitedGroups, Guid? By) : IActedBy
{
    Guid? IActedBy.ActingParticipant => By;
}

public sealed class OpenRoundValidator : AbstractValidator<OpenRound>
{
    public OpenRoundValidator()
    {
        RuleFor(x => x.Question).NotEmpty().MaximumLength(1_000);
        RuleFor(x => x.Scope).NotEmpty().MaximumLength(4_000);
        RuleFor(x => x.RequiredGroups).NotEmpty().WithMessage("Name the stakeholder groups that must be represented.");
        RuleForEach(x => x.RequiredGroups).OneOf(WireValues<StakeholderGroup>.Allowed);
        RuleForEach(x => x.InvitedGroups).OneOf(WireValues<StakeholderGroup>.Allowed);
        RuleFor(x => x.By).NotEmpty();
    }
}

public static class OpenRoundEndpoint
{
    public static RoundOpened Decide(Guid id, OpenRound command, Actor opener, DateTimeOffset now)
    {
        var required = command.RequiredGroups!.Select(v => WireValues<StakeholderGroup>.Parse(v)).Distinct().Order().ToArray();
        var invited = (command.InvitedGroups ?? []).Select(v => WireValues<StakeholderGroup>.Parse(v)).Concat(required).Distinct().Order().ToArray();
        return new RoundOpened(id, command.Question!.Trim(), command.Scope!.Trim(), required, invited, opener.Id, opener.Group, now);
    }

    [WolverinePost("/api/rounds", OperationId = "openRound"), Tags(RoundsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<(Created, IStartStream)> Post(OpenRound command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var opener = await Acting.ActorAsync(session, command.By!.Value, "by", ct);
        var id = Guid.CreateVersion7();
        return (Created.At("/api/rounds", id, 1), MartenOps.StartStream<Round>(id, Decide(id, command, opener, clock.GetUtcNow())));
    }
}
