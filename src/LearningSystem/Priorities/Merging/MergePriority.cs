using FluentValidation;
using LearningSystem.Negotiating;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Priorities.Merging;

/// <summary>Merges this priority into another; both keep their histories, linked both ways.</summary>
public sealed record MergePriority(Guid? By, Guid? Into, string? Reason, long? ExpectedVersion) : IMove;

public sealed class MergePriorityValidator : AbstractValidator<MergePriority>
{
    public MergePriorityValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Into).NotEmpty();
        RuleFor(x => x.Reason).MaximumLength(4_000);
    }
}

public static class MergePriorityEndpoint
{
    public static (PriorityMerged Source, PriorityAbsorbed Target) Decide(Priority source, Priority target, MergePriority command, Actor actor, DateTimeOffset now)
    {
        if (source.Id == target.Id)
        {
            throw Rejected.Invalid("A priority cannot be merged into itself.", "into");
        }

        source.EnsureOpen();
        target.EnsureOpen();
        var reason = TextInput.Optional(command.Reason);
        return (new PriorityMerged(source.Id, target.Id, actor.Id, actor.Group, reason, now),
            new PriorityAbsorbed(target.Id, source.Id, actor.Id, actor.Group, reason, now));
    }

    [WolverinePost("/api/priorities/{id}/merge", OperationId = "mergePriority"), Tags(PrioritiesModule.NegotiationTag)]
    public static async Task<Accepted> Post(Guid id, MergePriority command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var move = await Moves.BeginAsync<Priority>(id, command, versionRequired: true, http, session, clock, ct);
        // The target's stream is fetched for writing too, so that a race on either side loses cleanly.
        var target = await session.Events.FetchForWriting<Priority>(command.Into!.Value, ct);
        var (merged, absorbed) = Decide(move.State, target.Aggregate ?? throw Rejected.NotFound($"No priority {command.Into} is set.", "into"), command, move.Actor, move.Now);
        target.AppendOne(absorbed);
        return Moves.Append(move, merged);
    }
}
