using FluentValidation;
using LearningSystem.Hosting;
using LearningSystem.Participants;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace LearningSystem.Lessons.Recording;

/// <summary><c>about</c> and each piece of <c>evidence</c> name anything recorded here: feedback, a priority, a redesign, a round, another lesson.</summary>
public sealed record RecordLesson(Guid? By, Guid? About, string? Service, string? Text, IReadOnlyList<Guid>? Evidence) : IActedBy
{
    Guid? IActedBy.ActingParticipant => By;
}

public sealed class RecordLessonValidator : AbstractValidator<RecordLesson>
{
    public RecordLessonValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.About).NotEmpty();
        RuleFor(x => x.Service).MaximumLength(200);
        RuleFor(x => x.Text).NotEmpty().MaximumLength(8_000);
        RuleFor(x => x.Evidence).Must(e => e is null || e.Count <= 100).WithMessage("Cite at most 100 pieces of evidence.");
    }
}

public static class RecordLessonEndpoint
{
    public static LessonRecorded Decide(Guid id, RecordLesson command, Actor actor, IReadOnlyCollection<Guid> known, DateTimeOffset now)
    {
        if (!known.Contains(command.About!.Value))
        {
            throw Rejected.NotFound($"Nothing {command.About} is recorded to learn about.", "about");
        }

        var evidence = (command.Evidence ?? []).Distinct().ToArray();
        if (evidence.Except(known).ToArray() is { Length: > 0 } missing)
        {
            throw Rejected.NotFound($"No evidence {string.Join(", ", missing)} is recorded.", "evidence");
        }

        return new LessonRecorded(id, command.About!.Value, TextInput.Optional(command.Service), command.Text!.Trim(), evidence, actor.Id, actor.Group, now);
    }

    [WolverinePost("/api/lessons", OperationId = "recordLesson"), Tags("Learning loop")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<(Created, IStartStream)> Post(RecordLesson command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var actor = await Acting.ActorAsync(session, command.By!.Value, "by", ct);
        Guid[] referenced = [command.About!.Value, .. command.Evidence ?? []];
        // Every item of the loop is a stream here, so a reference is known when its stream exists in this organisation.
        var known = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId.IsOneOf(referenced) && e.Version == 1)
            .Select(e => e.StreamId)
            .ToListAsync(ct);
        var id = Guid.CreateVersion7();
        return (Created.At("/api/lessons", id, 1), MartenOps.StartStream<Lesson>(id, Decide(id, command, actor, known, clock.GetUtcNow())));
    }
}
