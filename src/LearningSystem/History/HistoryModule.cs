using LearningSystem.Http.Describing;

namespace LearningSystem.History;

/// <summary>
/// A stream's raw events, and replays step by step. Replays fold with each aggregate's own Create and Apply
/// (<see cref="Evolution{T}"/>), so this room adds no view of its own.
/// </summary>
[ApiTag(Tag, "The raw events of a stream, and replays step by step.")]
public static class HistoryModule
{
    public const string Tag = "History";
}
