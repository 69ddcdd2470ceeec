using LearningSystem.Negotiating;
using JasperFx.Events.Projections;
using LearningSystem.Curriculum.Reflecting;
using Marten;
using LearningSystem.Storage;

namespace LearningSystem.Curriculum;

public static class CurriculumModule
{
    public static StoreOptions AddCurriculum(this StoreOptions options)
    {
        options.Events.AddEventTypes([typeof(CurriculumChangeProposed), typeof(TeachingSessionDelivered), typeof(ReflectionRecorded)]);
        options.AddProposalView<CurriculumChange>();
        options.Projections.Snapshot<Reflection>(SnapshotLifecycle.Inline, EventStore.RebuildInBulk);
        options.Schema.For<CurriculumChange>().Index(c => c.Course);
        options.Schema.For<Reflection>().Index(r => r.CurriculumChangeId);
        return options;
    }
}
