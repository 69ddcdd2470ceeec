using LearningSystem.Http.Describing;
using LearningSystem.Negotiating;
using JasperFx.Events.Projections;
using LearningSystem.Curriculum.Reflecting;
using Marten;
using LearningSystem.Storage;

namespace LearningSystem.Curriculum;

[ApiTag(Tag, "Curriculum changes co-designed with patients and students, their teaching sessions and reflections.")]
public static class CurriculumModule
{
    public const string Tag = "Curriculum";

    /// <summary>A curriculum change is found by its course, module and every wording of its learning outcome and proposed change.</summary>
    public static SearchableText Words { get; } = SearchableText.Of<CurriculumChange>("curriculum-change", "learningOutcome",
        "learningOutcome", "proposedChange", "course", "module", "negotiation.wordings[*].text", "negotiation.amendments[*].wording");

    public static StoreOptions AddCurriculum(this StoreOptions options)
    {
        options.Events.AddEventTypes([typeof(CurriculumChangeProposed), typeof(TeachingSessionDelivered), typeof(ReflectionRecorded)]);
        options.AddProposalView<CurriculumChange>();
        options.Projections.Snapshot<Reflection>(SnapshotLifecycle.Inline, EventStore.RebuildInBulk);
        options.Schema.For<CurriculumChange>().Index(c => c.Course).Index(c => c.ProposedAt);
        FullText.Index(options, Words);
        options.Schema.For<Reflection>().Index(r => r.CurriculumChangeId);
        return options;
    }
}
