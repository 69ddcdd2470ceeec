using FluentValidation;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Curriculum.Reflecting;

public sealed record RecordReflection(Guid? By, Guid? SessionId, string? Learned, string? Taught) : IActedBy
{
    Guid? IActedBy.ActingParticipant => By;
}

public sealed class RecordReflectionValidator : AbstractValidator<RecordReflection>
{
    public RecordReflectionValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Learned).NotEmpty().WithMessage("Say what you learned: everyone is a learner here.").MaximumLength(8_000);
        RuleFor(x => x.Taught).NotEmpty().WithMessage("Say what you taught: everyone is a teacher here.").MaximumLength(8_000);
    }
}

public static class RecordReflectionEndpoint
{
    public static ReflectionRecorded Decide(Guid id, CurriculumChange change, RecordReflection command, Actor actor, DateTimeOffset now)
    {
        if (command.SessionId is { } session && change.Sessions.All(s => s.Id != session))
        {
            throw Rejected.NotFound($"Curriculum change {change.Id} has no teaching session {session}.", "sessionId");
        }

        return new ReflectionRecorded(id, change.Id, command.SessionId, command.Learned!.Trim(), command.Taught!.Trim(), actor.Id, actor.Group, now);
    }

    [WolverinePost("/api/curriculum-changes/{id}/reflections", OperationId = "recordReflection"), Tags(CurriculumModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<Created> Post(
        Guid id, RecordReflection command, IDocumentSession session, PersonalDataVault vault, TimeProvider clock, CancellationToken ct)
    {
        var change = await session.LoadAsync<CurriculumChange>(id, ct) ?? throw Rejected.NotFound($"No curriculum change {id} is proposed.");
        var actor = await Acting.ActorAsync(session, command.By!.Value, "by", ct);
        var reflectionId = Guid.CreateVersion7();
        var recorded = await vault.SealAsync(session, Decide(reflectionId, change, command, actor, clock.GetUtcNow()), ct);
        session.Events.StartStream<Reflection>(reflectionId, recorded);
        return Created.At("/api/reflections", reflectionId, 1);
    }
}
