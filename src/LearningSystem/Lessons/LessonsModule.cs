using LearningSystem.Http.Describing;
using JasperFx.Events.Projections;
using Marten;
using LearningSystem.Storage;

namespace LearningSystem.Lessons;

[ApiTag(Tag, "What was learned, by whom, about which service, course or item.")]
public static class LessonsModule
{
    public const string Tag = "Lessons";

    /// <summary>A lesson is found by its words and the service or course it is about.</summary>
    public static SearchableText Words { get; } = SearchableText.Of<Lesson>("lesson", "text", "text", "service", "course");

    public static StoreOptions AddLessons(this StoreOptions options)
    {
        options.Events.AddEventTypes([typeof(LessonRecorded)]);
        options.Projections.Snapshot<Lesson>(SnapshotLifecycle.Inline, EventStore.RebuildInBulk);
        options.Schema.For<Lesson>().Index(l => l.Service).Index(l => l.ByGroup).Index(l => l.About).Index(l => l.Course);
        FullText.Index(options, Words);
        return options;
    }
}
