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

    /// <summary>The stored names of the amendment acts, as <see cref="EventIndex"/> and the group's figures name them.</summary>
    public static readonly string[] AmendmentActs = ["amendment_proposed", "amendment_accepted", "amendment_rejected"];

    public static StoreOptions AddFinding(this StoreOptions options)
    {
        EventIndex.Add(options, "acting_participant", $"headers ->> '{WhoActed.ActingParticipantKey}'");
        EventIndex.Add(options, "acting_group", $"headers ->> '{WhoActed.ActingGroupKey}'");
        // A group's amendments: the streams its amendment acts touched, without reading its other acts.
        EventIndex.Add(options, "acting_group_amendments", $"headers ->> '{WhoActed.ActingGroupKey}'", "stream_id", AmendmentActs);
        return options;
    }
}
