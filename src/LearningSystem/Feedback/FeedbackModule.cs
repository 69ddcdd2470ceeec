using JasperFx.Events.Projections;
using Marten;
using LearningSystem.Storage;

namespace LearningSystem.Feedback;

public static class FeedbackModule
{
    public static StoreOptions AddPatientFeedback(this StoreOptions options)
    {
        options.Events.AddEventTypes([typeof(PatientFeedbackRecorded), typeof(FeedbackResponded), typeof(PatientDataErased)]);
        options.Projections.Snapshot<PatientFeedback>(SnapshotLifecycle.Inline, EventStore.RebuildInBulk);
        return options;
    }
}
