using LearningSystem.PersonalData;
using LearningSystem.Feedback;
using LearningSystem.Participants;
using LearningSystem.Priorities.Setting;

namespace LearningSystem.Tests.Priorities;

public sealed class SettingPriorityDecisions
{
    private static readonly DateTimeOffset Now = TestClock.Start;
    private static readonly Actor Jenny = new(Guid.Parse("c0000000-0000-4000-8000-0000000000a1"), StakeholderGroup.Student);
    private static readonly Guid Redesign = Guid.Parse("c0000000-0000-4000-8000-0000000000d1");

    private static PatientFeedback Feedback(params ConsentScope[] consent) =>
        PatientFeedback.Create(new PatientFeedbackRecorded(Guid.Parse("c0000000-0000-4000-8000-0000000000f1"), "feedback:1", "Clinic", "kiosk", Now, FeedbackRating.Poor, "Slow", null, consent, Now));

    private static SetPriority Command(Guid[]? redesigns = null, Guid[]? feedback = null) =>
        new(" Shorter waits ", " Patients wait hours ", Jenny.Id, redesigns, feedback);

    [Fact]
    public void When_setting_then_the_setter_and_their_group_at_the_time_are_recorded()
    {
        var feedback = Feedback(ConsentScope.ServiceImprovement);

        var then = SetPriorityEndpoint.Decide(Guid.Empty, Command([Redesign], [feedback.Id]), Jenny, [Redesign], [feedback], Now);

        Assert.Equal(("Shorter waits", "Patients wait hours", Jenny.Id, StakeholderGroup.Student), (then.Statement, then.Rationale, then.SetBy, then.SetByGroup));
        Assert.Equal([Redesign], then.Redesigns);
        Assert.Equal([feedback.Id], then.Feedback);
        Assert.Null(then.CounterTo);
    }

    [Fact]
    public void When_linking_an_unknown_redesign_then_it_is_not_found() =>
        Assert.Equal("redesigns", Assert.Throws<Rejected>(() => SetPriorityEndpoint.Decide(Guid.Empty, Command([Redesign]), Jenny, [], [], Now)).Field);

    [Fact]
    public void When_linking_unknown_feedback_then_it_is_not_found() =>
        Assert.Equal("feedback", Assert.Throws<Rejected>(() => SetPriorityEndpoint.Decide(Guid.Empty, Command(feedback: [Guid.NewGuid()]), Jenny, [], [], Now)).Field);

    [Fact]
    public void When_linking_feedback_consented_only_for_research_then_it_is_invalid()
    {
        var feedback = Feedback(ConsentScope.Research);

        var rejected = Assert.Throws<Rejected>(() => SetPriorityEndpoint.Decide(Guid.Empty, Command(feedback: [feedback.Id]), Jenny, [], [feedback], Now));

        Assert.Equal(RejectionKind.Invalid, rejected.Kind);
    }
}
