using LearningSystem.PersonalData;

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

/// <summary>
/// The comment and patient reference are sealed under the data subject's key (see PersonalFields). The data
/// subject names the patient by a keyed hash of their reference, or this feedback alone when there is none.
/// </summary>
public sealed record PatientFeedbackRecorded(
    Guid FeedbackId,
    string DataSubject,
    string Service,
    string Source,
    DateTimeOffset ReceivedAt,
    FeedbackRating Rating,
    string Comment,
    string? PatientRef,
    IReadOnlyList<ConsentScope> Consent,
    DateTimeOffset RecordedAt);

/// <summary>How a response answers feedback: heard it, planning a change, or making one (linked to a redesign).</summary>
public enum ResponseAction
{
    Acknowledged,
    PlanningChange,
    MakingChange,
}

/// <summary>A participant's response to feedback. Its text is sealed under the patient's key, like the feedback.</summary>
public sealed record FeedbackResponded(
    Guid FeedbackId, Guid ResponseId, string DataSubject, Guid By, LearningSystem.Participants.StakeholderGroup ByGroup,
    ResponseAction Action, Guid? RedesignId, string Text, DateTimeOffset At);

/// <summary>A response as the feedback's view keeps it: who answered how, and when; the text stays in the event.</summary>
public sealed record FeedbackResponse(Guid Id, Guid By, LearningSystem.Participants.StakeholderGroup ByGroup, ResponseAction Action, Guid? RedesignId, DateTimeOffset At);

/// <summary>Records that a patient's key was destroyed; holds no personal data.</summary>
public sealed record PatientDataErased(string DataSubject, Guid? RequestedBy, string Reason, LearningSystem.PersonalData.LegalBasis LegalBasis, DateTimeOffset ErasedAt);

/// <summary>One piece of patient feedback as it stands. Kept inline, so it is also the feedback's view.</summary>
public sealed partial record PatientFeedback(
    Guid Id,
    string DataSubject,
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

    public IReadOnlyList<FeedbackResponse> Responses { get; init; } = [];

    public static PatientFeedback Apply(FeedbackResponded e, PatientFeedback f) =>
        f with { Responses = [.. f.Responses, new FeedbackResponse(e.ResponseId, e.By, e.ByGroup, e.Action, e.RedesignId, e.At)] };

    public static PatientFeedback Create(PatientFeedbackRecorded e) =>
        new(e.FeedbackId, e.DataSubject, e.Service, e.Source, e.ReceivedAt, e.Rating, e.Comment, e.PatientRef, e.Consent, e.RecordedAt);
}
