namespace LearningSystem.Feedback;

/// <summary>The NHS Friends and Family Test answer scale.</summary>
public enum FeedbackRating
{
    VeryGood,
    Good,
    NeitherGoodNorPoor,
    Poor,
    VeryPoor,
    DontKnow,
}

/// <summary>What the patient agreed their feedback may be used for.</summary>
public enum ConsentScope
{
    ServiceImprovement,
    Research,
    Publication,
}

public sealed record PatientFeedbackRecorded(
    Guid FeedbackId,
    string Service,
    string Source,
    DateTimeOffset ReceivedAt,
    FeedbackRating Rating,
    string Comment,
    string? PatientRef,
    IReadOnlyList<ConsentScope> Consent,
    DateTimeOffset RecordedAt);

/// <summary>One piece of patient feedback as it stands. Kept inline, so it is also the feedback's view.</summary>
public sealed partial record PatientFeedback(
    Guid Id,
    string Service,
    string Source,
    DateTimeOffset ReceivedAt,
    FeedbackRating Rating,
    string Comment,
    string? PatientRef,
    IReadOnlyList<ConsentScope> Consent,
    DateTimeOffset RecordedAt)
{
    public long Version { get; init; }

    public static PatientFeedback Create(PatientFeedbackRecorded e) =>
        new(e.FeedbackId, e.Service, e.Source, e.ReceivedAt, e.Rating, e.Comment, e.PatientRef, e.Consent, e.RecordedAt);
}
