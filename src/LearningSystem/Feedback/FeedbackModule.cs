using LearningSystem.Http.Describing;
using JasperFx.Events.Projections;
using Marten;
using LearningSystem.Storage;

namespace LearningSystem.Feedback;

[ApiTag(Tag, "What patients said, sealed under their own key, and the answers they got.")]
public static class FeedbackModule
{
    public const string Tag = "Patient feedback";

    public static StoreOptions AddPatientFeedback(this StoreOptions options)
    {
        options.Events.AddEventTypes([typeof(PatientFeedbackRecorded), typeof(FeedbackResponded), typeof(PatientDataErased)]);
        options.Projections.Snapshot<PatientFeedback>(SnapshotLifecycle.Inline, EventStore.RebuildInBulk);
        options.Schema.For<PatientFeedback>().Index(f => f.ReceivedAt).Index(f => f.Service).Index(f => f.Rating);
        return options;
    }
}
