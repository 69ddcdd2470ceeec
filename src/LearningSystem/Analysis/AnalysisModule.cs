using LearningSystem.Http.Describing;

namespace LearningSystem.Analysis;

/// <summary>
/// What analysts take away: the event export (NDJSON) and spreadsheets (CSV) in <c>Exporting/</c>. They read
/// the other rooms' events and views and register nothing of their own; view rebuilds live in <c>Views/</c>
/// and what-if rescoring with the rounds, under the same tag.
/// </summary>
[ApiTag(Tag, "Exports (NDJSON, CSV), what-if rescoring and view rebuilds for analysts.")]
public static class AnalysisModule
{
    public const string Tag = "Analysis";
}
