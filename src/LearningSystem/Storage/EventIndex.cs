using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;

namespace LearningSystem.Storage;

/// <summary>
/// Indexes on the event table over expressions Marten does not know, such as a header: by organisation, the
/// expression, then the sequence, so that one value's events are read in order without a sort; optionally only
/// for some event types. One feature for every index (Marten keeps one feature of a type).
/// </summary>
public sealed class EventIndex : FeatureSchemaBase
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StoreOptions, EventIndex> Features = new();
    private readonly StoreOptions _options;
    private readonly List<(string Name, string Expression, string Last, string? Types)> _indexes = [];

    private EventIndex(StoreOptions options) : base(nameof(EventIndex), options.Advanced.Migrator) => _options = options;

    /// <summary>An index named <c>mt_events_{name}</c> on (organisation, <paramref name="expression"/>, <paramref name="last"/>), of the events of <paramref name="types"/> (all when none).</summary>
    public static void Add(StoreOptions options, string name, string expression, string last = "seq_id", params string[] types)
    {
        Features.GetValue(options, o =>
        {
            var feature = new EventIndex(o);
            o.Storage.Add(feature);
            return feature;
        })._indexes.Add((name, expression, last, types.Length == 0 ? null : string.Join(", ", types.Select(t => $"'{t}'"))));
        // The index is ours: Marten's own check of the event table would otherwise drop it as unknown.
        options.Events.IgnoreIndex(IndexName(name));
    }

    private static string IndexName(string name) => $"mt_events_{name}";

    protected override IEnumerable<ISchemaObject> schemaObjects() =>
        _indexes.Select(i => new NamedIndex(_options.DatabaseSchemaName, IndexName(i.Name),
            $"on {_options.DatabaseSchemaName}.mt_events (tenant_id, ({i.Expression}), {i.Last}) where ({i.Expression}) is not null{(i.Types is null ? "" : $" and type in ({i.Types})")}"));
}
