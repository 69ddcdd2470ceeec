using FluentValidation;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using LearningSystem.ServiceRedesigns;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Feedback.Responding;

/// <summary>A participant (or a system on their behalf) answers feedback; a planned or actual change names its redesign.</summary>
public sealed record RespondToFeedback(Guid? By, string? Text, string? Action, Guid? RedesignId) : IActedBy
{
    Guid? IActedBy.ActingParticipant => By;
}

public sealed class RespondToFeedbackValidator : AbstractValidator<RespondToFeedback>
{
    public RespondToFeedbackValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Text).NotEmpty().MaximumLength(4_000);
        RuleFor(x => x.Action).NotEmpty()
            .OneOf(WireValues<ResponseAction>.Allowed);
    }
}

public static class RespondToFeedbackEndpoint
{
    public static FeedbackResponded Decide(PatientFeedback feedback, RespondToFeedback command, Actor actor, ServiceRedesign? redesign, Guid responseId, DateTimeOffset now)
    {
        var action = WireValues<ResponseAction>.Parse(command.Action!);
        if (action != ResponseAction.Acknowledged && command.RedesignId is null)
        {
            throw Rejected.Invalid("A response that plans or makes a change names the service redesign.", "redesignId");
        }

        if (command.RedesignId is { } asked && redesign is null)
        {
            throw Rejected.NotFound($"No service redesign {asked} is proposed.", "redesignId");
        }

        return new FeedbackResponded(feedback.Id, responseId, feedback.DataSubject, actor.Id, actor.Group, action, command.RedesignId, command.Text!.Trim(), now);
    }

    [WolverinePost("/api/patient-feedback/{id}/responses", OperationId = "respondToFeedback"), Tags(FeedbackModule.Tag)]
    public static async Task<Accepted> Post(
        Guid id, RespondToFeedback command, IDocumentSession session, PersonalDataVault vault, TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<PatientFeedback>(id, ct);
        var feedback = stream.Aggregate ?? throw Rejected.NotFound($"No patient feedback {id} is recorded.");
        var actor = await Acting.ActorAsync(session, command.By!.Value, "by", ct);
        var redesign = command.RedesignId is { } r ? await session.LoadAsync<ServiceRedesign>(r, ct) : null;
        var responded = await vault.SealAsync(session, Decide(feedback, command, actor, redesign, Guid.CreateVersion7(), clock.GetUtcNow()), ct);
        stream.AppendOne(responded);
        return new Accepted(feedback.Version + 1, responded.ResponseId);
    }
}
