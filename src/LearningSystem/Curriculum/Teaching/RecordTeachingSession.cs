using FluentValidation;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Curriculum.Teaching;

public sealed record RecordTeachingSession(Guid? By, string? Title, DateTimeOffset? DeliveredOn, IReadOnlyList<Guid>? Teachers, int? Learners) : IActedBy
{
    Guid? IActedBy.ActingParticipant => By;
}

public sealed class RecordTeachingSessionValidator : AbstractValidator<RecordTeachingSession>
{
    public RecordTeachingSessionValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Title).NotEmpty().MaximumLength(200);
        RuleFor(x => x.DeliveredOn).NotNull();
        RuleFor(x => x.Teachers).NotEmpty().WithMessage("Name who taught the session.")
            .Must(t => t is null || t.Count <= 50).WithMessage("Name at most 50 teachers.");
        RuleForEach(x => x.Teachers).NotEmpty();
        RuleFor(x => x.Learners).NotNull().InclusiveBetween(0, 10_000);
    }
}

public static class RecordTeachingSessionEndpoint
{
    /// <summary>Only an approved change is taught, and a session is recorded once it has been delivered.</summary>
    public static TeachingSessionDelivered Decide(
        CurriculumChange change, RecordTeachingSession command, Actor actor, IReadOnlyCollection<Participant> teachersFound, Guid sessionId, DateTimeOffset now)
    {
        if (change.Decision?.Outcome != ChangeOutcome.Approved)
        {
            throw Rejected.Conflict($"Curriculum change {change.Id} is not approved; only an approved change is taught.");
        }

        if (command.DeliveredOn > now)
        {
            throw Rejected.Invalid("A teaching session is recorded when it has been delivered, not before.", "deliveredOn");
        }

        var found = teachersFound.Where(t => t.ErasedAt is null).ToDictionary(t => t.Id);
        var teachers = command.Teachers!.Distinct().ToArray();
        if (teachers.Where(t => !found.ContainsKey(t)).ToArray() is { Length: > 0 } unknown)
        {
            throw Rejected.NotFound($"No participant {string.Join(", ", unknown)} is registered.", "teachers");
        }

        return new TeachingSessionDelivered(
            change.Id, sessionId, command.Title!.Trim(), command.DeliveredOn!.Value,
            teachers.Select(t => new Teacher(t, found[t].StakeholderGroup)).ToArray(), command.Learners!.Value, actor.Id, actor.Group, now);
    }

    [WolverinePost("/api/curriculum-changes/{id}/teaching-sessions", OperationId = "recordTeachingSession"), Tags(CurriculumModule.Tag)]
    public static async Task<Accepted> Post(Guid id, RecordTeachingSession command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var act = await Acting.BeginAsync<CurriculumChange>(id, command.By!.Value, $"No curriculum change {id} is proposed.", session, clock, ct);
        var teachers = await session.LoadManyAsync<Participant>(ct, command.Teachers!.Distinct());
        var delivered = Decide(act.State, command, act.Actor, teachers, Guid.CreateVersion7(), act.Now);
        return Acting.Append(act, act.State.Version, delivered, delivered.SessionId);
    }
}
