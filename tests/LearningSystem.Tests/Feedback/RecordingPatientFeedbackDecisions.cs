using LearningSystem.PersonalData;
using LearningSystem.Feedback;
using LearningSystem.Feedback.Recording;

namespace LearningSystem.Tests.Feedback;

public sealed class RecordingPatientFeedbackDecisions
{
    private static readonly Guid Id = Guid.Parse("5d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1a");
    private static readonly DateTimeOffset Now = TestClock.Start;
    private const string Subject = "patient:0f0e";

    private static RecordPatientFeedback Command(DateTimeOffset receivedAt, params string[] consent) =>
        new(" Outpatient Diabetes Clinic ", "ward-survey-kiosk", receivedAt, "veryPoor", "Nobody told me why I was waiting.", " kiosk-7f3a ", consent);

    [Fact]
    public void When_recording_then_feedback_is_recorded_at_our_time_with_its_received_time()
    {
        var receivedAt = Now.AddDays(-2);

        var then = RecordPatientFeedbackEndpoint.Decide(Id, Subject, Command(receivedAt, "serviceImprovement"), Now);

        Assert.Equal(Id, then.FeedbackId);
        Assert.Equal(Subject, then.DataSubject);
        Assert.Equal("Outpatient Diabetes Clinic", then.Service);
        Assert.Equal(receivedAt, then.ReceivedAt);
        Assert.Equal(Now, then.RecordedAt);
        Assert.Equal(FeedbackRating.VeryPoor, then.Rating);
        Assert.Equal("kiosk-7f3a", then.PatientRef);
        Assert.Equal([ConsentScope.ServiceImprovement], then.Consent);
    }

    [Fact]
    public void When_consent_repeats_then_each_scope_is_kept_once_in_a_stable_order()
    {
        var then = RecordPatientFeedbackEndpoint.Decide(Id, Subject, Command(Now, "publication", "serviceImprovement", "publication"), Now);

        Assert.Equal([ConsentScope.ServiceImprovement, ConsentScope.Publication], then.Consent);
    }

    [Fact]
    public void When_received_slightly_ahead_of_our_clock_then_it_is_accepted()
    {
        var then = RecordPatientFeedbackEndpoint.Decide(Id, Subject, Command(Now + RecordPatientFeedbackEndpoint.ClockTolerance, "research"), Now);

        Assert.Equal(Now + RecordPatientFeedbackEndpoint.ClockTolerance, then.ReceivedAt);
    }

    [Fact]
    public void When_received_in_the_future_then_it_is_rejected_on_received_at()
    {
        var rejected = Assert.Throws<Rejected>(() =>
            RecordPatientFeedbackEndpoint.Decide(Id, Subject, Command(Now + RecordPatientFeedbackEndpoint.ClockTolerance + TimeSpan.FromSeconds(1), "research"), Now));

        Assert.Equal(RejectionKind.Invalid, rejected.Kind);
        Assert.Equal("receivedAt", rejected.Field);
    }
}
