using LearningSystem.PersonalData;
using FluentValidation;
using LearningSystem.Feedback;
using LearningSystem.Participants;
using LearningSystem.Rounds.Submitting;
using LearningSystem.ServiceRedesigns;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Priorities.Setting;

public sealed record SetPriority(
    string? Statement, string? Rationale, Guid? SetBy, IReadOnlyList<Guid>? Redesigns, IReadOnlyList<Guid>? Feedback, Guid? RoundId = null) : IActedBy
{
    Guid? IActedBy.ActingParticipant => SetBy;
}

public sealed class SetPriorityValidator : AbstractValidator<SetPriority>
{
    public SetPriorityValidator()
    {
        RuleFor(x => x.Statement).NotEmpty().MaximumLength(1_000);
        RuleFor(x => x.Rationale).NotEmpty().MaximumLength(4_000);
        RuleFor(x => x.SetBy).NotEmpty();
        RuleFor(x => x.Redesigns).Must(r => r is null || r.Count <= 50).WithMessage("Link at most 50 service redesigns.");
        RuleFor(x => x.Feedback).Must(f => f is null || f.Count <= 100).WithMessage("Link at most 100 pieces of feedback.");
    }
}

public static class SetPriorityEndpoint
{
    public static PrioritySet Decide(
        Guid id, SetPriority command, Actor setter, IReadOnlyCollection<Guid> redesignsFound, IReadOnlyCollection<PatientFeedback> feedbackFound, DateTimeOffset now)
    {
        var redesigns = (command.Redesigns ?? []).Distinct().ToArray();
        if (redesigns.Except(redesignsFound).ToArray() is { Length: > 0 } missingRedesigns)
        {
            throw Rejected.NotFound($"No service redesign {string.Join(", ", missingRedesigns)} is proposed.", "redesigns");
        }

        var feedback = (command.Feedback ?? []).Distinct().ToArray();
        if (feedback.Except(feedbackFound.Select(f => f.Id)).ToArray() is { Length: > 0 } missingFeedback)
        {
            throw Rejected.NotFound($"No patient feedback {string.Join(", ", missingFeedback)} is recorded.", "feedback");
        }

        if (feedbackFound.Where(f => !f.Consent.Contains(ConsentScope.ServiceImprovement)).Select(f => f.Id).ToArray() is { Length: > 0 } unconsented)
        {
            throw Rejected.Invalid($"Patient feedback {string.Join(", ", unconsented)} was not consented for service improvement.", "feedback");
        }

        return new PrioritySet(id, command.Statement!.Trim(), command.Rationale!.Trim(), setter.Id, setter.Group, redesigns, feedback, null, now, command.RoundId);
    }

    [WolverinePost("/api/priorities", OperationId = "setPriority"), Tags(PrioritiesModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<Created> Post(SetPriority command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var setter = await Acting.ActorAsync(session, command.SetBy!.Value, "setBy", ct);
        var batch = session.CreateBatchQuery();
        var redesigns = batch.LoadMany<ServiceRedesign>().ById([.. command.Redesigns ?? []]);
        var feedback = batch.LoadMany<PatientFeedback>().ById([.. command.Feedback ?? []]);
        await batch.Execute(ct);

        var id = Guid.CreateVersion7();
        var set = Decide(id, command, setter, (await redesigns).Select(r => r.Id).ToArray(), await feedback, clock.GetUtcNow());
        // The priority is set first, then joins its round, so the round's timeline reads in that order.
        session.Events.StartStream<Priority>(id, set);
        if (command.RoundId is { } round)
        {
            await SubmitPriority.IntoRoundAsync(session, round, id, setter, set.SetAt, ct);
        }

        return Created.At("/api/priorities", id, 1);
    }
}
