using JasperFx.Events.Projections;
using Marten;

namespace LearningSystem.Feedback;

public static class FeedbackModule
{
    public static StoreOptions AddPatientFeedback(this StoreOptions options)
    {
        options.Projections.Snapshot<PatientFeedback>(SnapshotLifecycle.Inline);
        return options;
    }
}
