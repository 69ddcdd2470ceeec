using LearningSystem.Attribution;
using LearningSystem.Curriculum;
using LearningSystem.Http.Describing;
using LearningSystem.Lessons;
using LearningSystem.Priorities;
using LearningSystem.ServiceRedesigns;
using LearningSystem.Storage;
using Marten;

namespace LearningSystem.Finding;

/// <summary>
/// Finding anything: search over every view's words, and who did what, by participant and by stakeholder group.
/// It reads the other rooms' views and events; of its own it keeps only two indexes on the events, by who acted.
/// </summary>
[ApiTag(Tag, "Search, and who set which priorities and how each was negotiated, by participant and by stakeholder group.")]
public static class FindingModule
{
    public const string Tag = "Finding";

    /// <summary>What search finds, each kind by its own words (indexed where its room keeps it).</summary>
    public static IReadOnlyList<SearchableText> Searchable { get; } =
        [PrioritiesModule.Words, ServiceRedesignsModule.Words, CurriculumModule.Words, LessonsModule.Words];

    public static StoreOptions AddFinding(this StoreOptions options)
    {
        options.Storage.Add(new EventIndex(options, "acting_participant", $"headers ->> '{WhoActed.ActingParticipantKey}'"));
        options.Storage.Add(new EventIndex(options, "acting_group", $"headers ->> '{WhoActed.ActingGroupKey}'"));
        return options;
    }
}
