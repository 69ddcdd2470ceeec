using FluentValidation;
using LearningSystem.Hosting;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;

namespace LearningSystem.Priorities.Endorsing;

public sealed record EndorsePriority(Guid? By, string? Comment, long? ExpectedVersion) : IMove;

public sealed class EndorsePriorityValidator : AbstractValidator<EndorsePriority>
{
    public EndorsePriorityValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Comment).MaximumLength(2_000);
    }
}

public static class EndorsePriorityEndpoint
{
    public static PriorityEndorsed Decide(Priority priority, EndorsePriority command, Actor actor, DateTimeOffset now)
    {
        priority.EnsureOpen();
        if (priority.EndorsedBy.Contains(actor.Id))
        {
            throw Rejected.Conflict($"Participant {actor.Id} has already endorsed this priority.");
        }

        return new PriorityEndorsed(priority.Id, actor.Id, actor.Group, TextInput.Optional(command.Comment), now);
    }

    [WolverinePost("/api/priorities/{id}/endorsements", OperationId = "endorsePriority"), Tags("Priority negotiation")]
    public static async Task<Accepted> Post(Guid id, EndorsePriority command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var move = await Moves.BeginAsync(id, command, versionRequired: false, http, session, clock, ct);
        return Moves.Append(move, Decide(move.Priority, command, move.Actor, move.Now));
    }
}
