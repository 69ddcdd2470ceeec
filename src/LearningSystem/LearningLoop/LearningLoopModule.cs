using LearningSystem.Http.Describing;

namespace LearningSystem.LearningLoop;

/// <summary>
/// From any contribution to what changed: lineage, the loops still open and "you said, we did". It reads the
/// views of feedback, redesigns, curriculum changes and lessons and keeps none of its own.
/// </summary>
[ApiTag(Tag, "Lineage from any contribution to what changed, and the loops still open.")]
public static class LearningLoopModule
{
    public const string Tag = "Learning loop";
}
