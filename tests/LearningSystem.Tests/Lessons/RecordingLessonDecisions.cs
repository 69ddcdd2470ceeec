using LearningSystem.Curriculum;
using LearningSystem.Lessons.Recording;
using LearningSystem.Participants;
using LearningSystem.ServiceRedesigns;

namespace LearningSystem.Tests.Lessons;

public sealed class RecordingLessonDecisions
{
    private static readonly Actor Ada = new(Guid.Parse("f0000000-0000-4000-8000-0000000000a1"), StakeholderGroup.Nurse);
    private static readonly Guid Redesign = Guid.Parse("f0000000-0000-4000-8000-0000000000d1");
    private static readonly Guid Feedback = Guid.Parse("f0000000-0000-4000-8000-0000000000f1");
    private static readonly Guid Change = Guid.Parse("f0000000-0000-4000-8000-0000000000c1");

    private static readonly ServiceRedesignProposed RedesignProposed = new(Redesign, "Texts", "Waits", "Text when late", "Diabetes Clinic", Ada.Id, Ada.Group, [], TestClock.Start);

    private static readonly CurriculumChangeProposed ChangeProposed = new(
        Change, "MBBS Year 3", "Clinical Communication", "Explain a delay", "Patients co-teach", [], [], Ada.Id, Ada.Group, TestClock.Start);

    private static Dictionary<Guid, object> Known(params object[] origins) => origins.ToDictionary(
        o => o switch { ServiceRedesignProposed r => r.RedesignId, CurriculumChangeProposed c => c.CurriculumChangeId, _ => Feedback });

    [Fact]
    public void When_recording_a_lesson_then_it_keeps_its_item_evidence_and_the_authors_group()
    {
        var then = RecordLessonEndpoint.Decide(Guid.Empty, new RecordLesson(Ada.Id, Redesign, " Clinic ", " Ask patients first ", [Feedback, Feedback]), Ada,
            Known(RedesignProposed, "feedback"), TestClock.Start);

        Assert.Equal((Redesign, "Clinic", "Ask patients first", StakeholderGroup.Nurse), (then.About, then.Service, then.Text, then.ByGroup));
        Assert.Equal([Feedback], then.Evidence);
    }

    [Fact]
    public void When_no_service_or_course_is_given_then_the_items_own_is_kept()
    {
        var aboutRedesign = RecordLessonEndpoint.Decide(Guid.Empty, new RecordLesson(Ada.Id, Redesign, null, "x", null), Ada, Known(RedesignProposed), TestClock.Start);
        var aboutChange = RecordLessonEndpoint.Decide(Guid.Empty, new RecordLesson(Ada.Id, Change, null, "x", null), Ada, Known(ChangeProposed), TestClock.Start);

        Assert.Equal(("Diabetes Clinic", null), (aboutRedesign.Service, aboutRedesign.Course));
        Assert.Equal((null, "MBBS Year 3"), (aboutChange.Service, aboutChange.Course));
    }

    [Fact]
    public void When_the_item_is_unknown_then_it_is_not_found() =>
        Assert.Equal("about", Assert.Throws<Rejected>(() => RecordLessonEndpoint.Decide(Guid.Empty, new RecordLesson(Ada.Id, Redesign, null, "x", null), Ada, Known(), TestClock.Start)).Field);

    [Fact]
    public void When_evidence_is_unknown_then_it_is_not_found() =>
        Assert.Equal("evidence", Assert.Throws<Rejected>(() =>
            RecordLessonEndpoint.Decide(Guid.Empty, new RecordLesson(Ada.Id, Redesign, null, "x", [Feedback]), Ada, Known(RedesignProposed), TestClock.Start)).Field);
}
