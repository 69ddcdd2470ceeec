using LearningSystem.PersonalData;
using LearningSystem.Feedback;
using LearningSystem.Feedback.Responding;
using LearningSystem.LearningLoop;
using LearningSystem.Participants;
using LearningSystem.ServiceRedesigns;

namespace LearningSystem.Tests.Feedback;

public sealed class RespondingToFeedbackDecisions
{
    private static readonly DateTimeOffset Now = TestClock.Start;
    private static readonly Actor Ada = new(Guid.Parse("e0000000-0000-4000-8000-0000000000a1"), StakeholderGroup.Nurse);
    private static readonly Guid RedesignId = Guid.Parse("e0000000-0000-4000-8000-0000000000d1");

    private static readonly PatientFeedback Feedback = PatientFeedback.Create(new PatientFeedbackRecorded(
        Guid.Parse("e0000000-0000-4000-8000-0000000000f1"), "patient:abc", "Clinic", "kiosk", Now.AddDays(-20), FeedbackRating.Poor, "Slow", null,
        [ConsentScope.ServiceImprovement], Now.AddDays(-20)));

    private static readonly ServiceRedesign Redesign = ServiceRedesign.Create(new ServiceRedesignProposed(
        RedesignId, "Texts", "Waits", "Text when late", "Clinic", Ada.Id, Ada.Group, [], Now));

    [Fact]
    public void When_responding_then_the_response_is_recorded_under_the_patients_subject()
    {
        var then = RespondToFeedbackEndpoint.Decide(Feedback, new RespondToFeedback(Ada.Id, " We hear you ", "makingChange", RedesignId), Ada, Redesign, Guid.Empty, Now);

        Assert.Equal(("patient:abc", ResponseAction.MakingChange, RedesignId, "We hear you"), (then.DataSubject, then.Action, then.RedesignId!.Value, then.Text));
        Assert.Single(PatientFeedback.Apply(then, Feedback).Responses);
    }

    [Fact]
    public void When_planning_a_change_without_naming_the_redesign_then_it_is_invalid() =>
        Assert.Equal("redesignId", Assert.Throws<Rejected>(() =>
            RespondToFeedbackEndpoint.Decide(Feedback, new RespondToFeedback(Ada.Id, "Soon", "planningChange", null), Ada, null, Guid.Empty, Now)).Field);

    [Fact]
    public void When_naming_an_unknown_redesign_then_it_is_not_found() =>
        Assert.Equal(RejectionKind.NotFound, Assert.Throws<Rejected>(() =>
            RespondToFeedbackEndpoint.Decide(Feedback, new RespondToFeedback(Ada.Id, "Soon", "planningChange", Guid.NewGuid()), Ada, null, Guid.Empty, Now)).Kind);

    [Fact]
    public void Feedback_is_an_open_loop_once_it_waits_longer_than_the_response_days_without_an_answer()
    {
        Assert.Single(OpenLoopsEndpoint.Unanswered([Feedback], Now, responseDays: 14));
        Assert.Equal(20, OpenLoopsEndpoint.Unanswered([Feedback], Now, responseDays: 14)[0].DaysWaiting);
        Assert.Empty(OpenLoopsEndpoint.Unanswered([Feedback], Now, responseDays: 21));

        var answered = PatientFeedback.Apply(new FeedbackResponded(Feedback.Id, Guid.Empty, "patient:abc", Ada.Id, Ada.Group, ResponseAction.Acknowledged, null, "Thanks", Now), Feedback);
        Assert.Empty(OpenLoopsEndpoint.Unanswered([answered], Now, responseDays: 14));
    }
}
