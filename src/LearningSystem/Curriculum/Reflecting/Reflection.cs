using LearningSystem.Participants;

namespace LearningSystem.Curriculum.Reflecting;

/// <summary>
/// What a participant learned and what they taught, on a curriculum change or one of its sessions: everyone is
/// both learner and teacher. Both texts are the participant's own words, sealed under their key.
/// </summary>
public sealed record ReflectionRecorded(
    Guid ReflectionId, Guid CurriculumChangeId, Guid? SessionId, string Learned, string Taught, Guid By, StakeholderGroup ByGroup, DateTimeOffset At);

/// <summary>A reflection as it stands. Kept inline, so it is also its view; its texts stay sealed until read.</summary>
public sealed partial record Reflection(
    Guid Id, Guid CurriculumChangeId, Guid? SessionId, string Learned, string Taught, Guid By, StakeholderGroup ByGroup, DateTimeOffset RecordedAt)
{
    public long Version { get; init; }

    public static Reflection Create(ReflectionRecorded e) => new(e.ReflectionId, e.CurriculumChangeId, e.SessionId, e.Learned, e.Taught, e.By, e.ByGroup, e.At);
}
