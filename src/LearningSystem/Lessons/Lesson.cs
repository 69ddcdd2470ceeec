using LearningSystem.Participants;

namespace LearningSystem.Lessons;

/// <summary>
/// A lesson learned at any step of the loop: about one item (feedback, a priority, a redesign, a curriculum
/// change, a round), backed by evidence, and written by a participant whose group at that moment is kept. The
/// service or course it belongs to is given, or taken from the item.
/// </summary>
public sealed record LessonRecorded(
    Guid LessonId, Guid About, string? Service, string Text, IReadOnlyList<Guid> Evidence, Guid By, StakeholderGroup ByGroup, DateTimeOffset At,
    string? Course = null);

/// <summary>A lesson as it stands. Kept inline, so it is also its view.</summary>
public sealed partial record Lesson(
    Guid Id, Guid About, string? Service, string Text, IReadOnlyList<Guid> Evidence, Guid By, StakeholderGroup ByGroup, DateTimeOffset RecordedAt,
    string? Course = null)
{
    public long Version { get; init; }

    public static Lesson Create(LessonRecorded e) => new(e.LessonId, e.About, e.Service, e.Text, e.Evidence, e.By, e.ByGroup, e.At, e.Course);
}
