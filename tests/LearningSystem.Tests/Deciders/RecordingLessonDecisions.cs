using LearningSystem.Lessons.Recording;
using LearningSystem.Participants;
using LearningSystem.Priorities;

namespace LearningSystem.Tests.Deciders;

public sealed class RecordingLessonDecisions
{
    private static readonly Actor Ada = new(Guid.Parse("f0000000-0000-4000-8000-0000000000a1"), StakeholderGroup.Nurse);
    private static readonly Guid Redesign = Guid.Parse("f0000000-0000-4000-8000-0000000000d1");
    private static readonly Guid Feedback = Guid.Parse("f0000000-0000-4000-8000-0000000000f1");

    [Fact]
    public void When_recording_a_lesson_then_it_keeps_its_item_evidence_and_the_authors_group()
    {
        var then = RecordLessonEndpoint.Decide(Guid.Empty, new RecordLesson(Ada.Id, Redesign, " Clinic ", " Ask patients first ", [Feedback, Feedback]), Ada, [Redesign, Feedback], TestClock.Start);

        Assert.Equal((Redesign, "Clinic", "Ask patients first", StakeholderGroup.Nurse), (then.About, then.Service, then.Text, then.ByGroup));
        Assert.Equal([Feedback], then.Evidence);
    }

    [Fact]
    public void When_the_item_is_unknown_then_it_is_not_found() =>
        Assert.Equal("about", Assert.Throws<Rejected>(() => RecordLessonEndpoint.Decide(Guid.Empty, new RecordLesson(Ada.Id, Redesign, null, "x", null), Ada, [], TestClock.Start)).Field);

    [Fact]
    public void When_evidence_is_unknown_then_it_is_not_found() =>
        Assert.Equal("evidence", Assert.Throws<Rejected>(() => RecordLessonEndpoint.Decide(Guid.Empty, new RecordLesson(Ada.Id, Redesign, null, "x", [Feedback]), Ada, [Redesign], TestClock.Start)).Field);
}
