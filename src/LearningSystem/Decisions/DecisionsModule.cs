using LearningSystem.Http.Describing;
using JasperFx.Events.Projections;
using Marten;
using LearningSystem.Storage;

namespace LearningSystem.Decisions;

[ApiTag(Tag, "Decision provenance for people (JSON, text) and for standards (W3C PROV-JSON, HL7 FHIR R4).")]
public static class DecisionsModule
{
    public const string Tag = "Decisions";

    public static StoreOptions AddDecisions(this StoreOptions options)
    {
        options.Projections.Add<DecisionIndex>(ProjectionLifecycle.Inline, EventStore.RebuildInBulk);
        options.Schema.For<DecisionEntry>().Index(d => d.At).Index(d => d.Outcome);
        return options;
    }
}
