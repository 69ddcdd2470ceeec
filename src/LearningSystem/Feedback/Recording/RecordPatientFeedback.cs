using FluentValidation;
using LearningSystem.PersonalData;
using Marten;
using Wolverine.Http;
using Wolverine.Marten;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Feedback.Recording;

public sealed record RecordPatientFeedback(
    string? Service,
    string? Source,
    DateTimeOffset? ReceivedAt,
    string? Rating,
    string? Comment,
    string? PatientRef,
    IReadOnlyList<string>? Consent) : IActedByClient;

public sealed class RecordPatientFeedbackValidator : AbstractValidator<RecordPatientFeedback>
{
    public RecordPatientFeedbackValidator()
    {
        RuleFor(x => x.Service).NotEmpty().MaximumLength(200);
        RuleFor(x => x.Source).NotEmpty().MaximumLength(200);
        RuleFor(x => x.ReceivedAt).NotNull();
        RuleFor(x => x.Rating).NotEmpty()
            .OneOf(WireValues<FeedbackRating>.Allowed);
        RuleFor(x => x.Comment).NotNull().MaximumLength(10_000);
        RuleFor(x => x.PatientRef).MaximumLength(100);
        RuleFor(x => x.Consent).NotEmpty().WithMessage("Give at least one consent scope.");
        RuleForEach(x => x.Consent)
            .OneOf(WireValues<ConsentScope>.Allowed);
    }
}

public static class RecordPatientFeedbackEndpoint
{
    // Clocks of integrating systems drift; a few minutes ahead of ours is not "the future".
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(5);

    public static PatientFeedbackRecorded Decide(Guid id, string dataSubject, RecordPatientFeedback command, DateTimeOffset now)
    {
        var receivedAt = command.ReceivedAt!.Value;
        if (receivedAt > now + ClockTolerance)
        {
            throw Rejected.Invalid($"receivedAt {receivedAt:O} is in the future.", "receivedAt");
        }

        return new PatientFeedbackRecorded(
            id,
            dataSubject,
            command.Service!.Trim(),
            command.Source!.Trim(),
            receivedAt,
            WireValues<FeedbackRating>.Parse(command.Rating!),
            command.Comment!,
            TextInput.Optional(command.PatientRef),
            ConsentScopes.Parse(command.Consent!),
            now);
    }

    [WolverinePost("/api/patient-feedback", OperationId = "recordPatientFeedback"), Tags(FeedbackModule.Tag)]
    public static async Task<(Created, IStartStream)> Post(
        RecordPatientFeedback command, TimeProvider clock, IDocumentSession session, PersonalDataVault vault, Peppers peppers, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        // Feedback without a patient reference is its own data subject, new with it.
        var anonymous = string.IsNullOrWhiteSpace(command.PatientRef);
        var subject = anonymous ? DataSubjects.AnonymousFeedback(id) : await peppers.PatientSubjectAsync(session, command.PatientRef!, ct);
        var decided = Decide(id, subject, command, clock.GetUtcNow());
        var recorded = anonymous ? await vault.SealForNewSubjectAsync(session, decided, ct) : await vault.SealAsync(session, decided, ct);
        return (Created.At("/api/patient-feedback", id, 1), MartenOps.StartStream<PatientFeedback>(id, recorded));
    }
}
