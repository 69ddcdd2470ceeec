using FluentValidation;
using LearningSystem.Curriculum;
using LearningSystem.Feedback;
using LearningSystem.Participants;
using LearningSystem.ServiceRedesigns;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Lessons.Recording;

/// <summary>
/// <c>about</c> and each piece of <c>evidence</c> name anything recorded here: feedback, a priority, a redesign, a
/// curriculum change, a round, another lesson. <c>service</c> and <c>course</c> default to the item's own.
/// </summary>
public sealed record RecordLesson(Guid? By, Guid? About, string? Service, string? Text, IReadOnlyList<Guid>? Evidence, string? Course = null) : IActedBy
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
        RuleFor(x => x.Course).MaximumLength(200);
        RuleFor(x => x.Text).NotEmpty().MaximumLength(8_000);
        RuleFor(x => x.Evidence).Must(e => e is null || e.Count <= 100).WithMessage("Cite at most 100 pieces of evidence.");
    }
}

public static class RecordLessonEndpoint
{
    /// <param name="origins">The first event of each referenced item that exists, by its id.</param>
    public static LessonRecorded Decide(Guid id, RecordLesson command, Actor actor, IReadOnlyDictionary<Guid, object> origins, DateTimeOffset now)
    {
        if (!origins.TryGetValue(command.About!.Value, out var about))
        {
            throw Rejected.NotFound($"Nothing {command.About} is recorded to learn about.", "about");
        }

        var evidence = (command.Evidence ?? []).Distinct().ToArray();
        if (evidence.Where(e => !origins.ContainsKey(e)).ToArray() is { Length: > 0 } missing)
        {
            throw Rejected.NotFound($"No evidence {string.Join(", ", missing)} is recorded.", "evidence");
        }

        var service = TextInput.Optional(command.Service) ?? about switch
        {
            ServiceRedesignProposed r => r.Service,
            PatientFeedbackRecorded f => f.Service,
            _ => null,
        };
        var course = TextInput.Optional(command.Course) ?? (about as CurriculumChangeProposed)?.Course;
        return new LessonRecorded(id, command.About!.Value, service, command.Text!.Trim(), evidence, actor.Id, actor.Group, now, course);
    }

    [WolverinePost("/api/lessons", OperationId = "recordLesson"), Tags(LearningLoop.LearningLoopModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<(Created, IStartStream)> Post(RecordLesson command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var actor = await Acting.ActorAsync(session, command.By!.Value, "by", ct);
        Guid[] referenced = [command.About!.Value, .. command.Evidence ?? []];
        // Every item of the loop is a stream here, so a reference is known when its stream exists in this organisation.
        var origins = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId.IsOneOf(referenced) && e.Version == 1)
            .ToListAsync(ct);
        var id = Guid.CreateVersion7();
        var recorded = Decide(id, command, actor, origins.ToDictionary(e => e.StreamId, e => e.Data), clock.GetUtcNow());
        return (Created.At("/api/lessons", id, 1), MartenOps.StartStream<Lesson>(id, recorded));
    }
}
