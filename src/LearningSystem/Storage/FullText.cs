using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;

namespace LearningSystem.Storage;

/// <summary>
/// Words of one view that search finds: the view's type, the kind a hit is shown as, the JSON paths of its text
/// (<c>negotiation.wordings[*].text</c> reaches into lists) and the path of its title. Only text the personal-data
/// register calls not personal may be named, so erasing a person never leaves their words in an index.
/// </summary>
public sealed record SearchableText(Type View, string Kind, string Title, IReadOnlyList<string> Paths, Func<IReadOnlyStoreOptions, bool, string> Table)
{
    public const string Language = "english";

    public static SearchableText Of<T>(string kind, string title, params string[] paths) where T : notnull =>
        new(typeof(T), kind, title, paths, (options, qualified) => options.Schema.For<T>(qualified));

    /// <summary>
    /// The words as a <c>tsvector</c>, over Marten's document alias <c>d</c>: the index is on exactly this, so a
    /// query that matches it is answered from the index.
    /// </summary>
    public string Vector(string? alias = "d") =>
        $"to_tsvector('{Language}'::regconfig, {string.Join(" || ", Paths.Select(p => $"jsonb_path_query_array({(alias is null ? "" : $"{alias}.")}data, '$.{p}')"))})";

    /// <summary>A condition that the words match a web-style query (words, "a phrase", -not, or), given as its one parameter.</summary>
    public string Matches(string alias = "d") => $"{Vector(alias)} @@ websearch_to_tsquery('{Language}', ?)";

    public string TitleSql(string alias = "d") =>
        $"{alias}.data" + string.Concat(Title.Split('.')[..^1].Select(s => $" -> '{s}'")) + $" ->> '{Title.Split('.')[^1]}'";
}

/// <summary>
/// A GIN index over each searchable view's words, kept by PostgreSQL with the view's row in the same transaction
/// as the command that changed it. One feature for every view (Marten keeps one feature of a type), run once the
/// document tables are made.
/// </summary>
public sealed class FullText : FeatureSchemaBase
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StoreOptions, FullText> Features = new();
    private readonly StoreOptions _options;
    private readonly List<SearchableText> _texts = [];

    private FullText(StoreOptions options) : base(nameof(FullText), options.Advanced.Migrator) => _options = options;

    /// <summary>Indexes <paramref name="text"/>'s words in the store <paramref name="options"/> configure.</summary>
    public static void Index(StoreOptions options, SearchableText text) => Features.GetValue(options, Register)._texts.Add(text);

    private static FullText Register(StoreOptions options)
    {
        var feature = new FullText(options);
        options.Storage.Add(feature);
        // The indexes are ours: Marten's own check of a view's table would otherwise drop them as unknown, on every
        // start of a node and on a node's first use of an organisation's own database. A policy, because it runs
        // as each mapping is built, whenever that is.
        options.Policies.ForAllDocuments(mapping =>
        {
            if (feature._texts.Any(t => t.View == mapping.DocumentType))
            {
                mapping.IgnoreIndex(IndexName(mapping.TableName.Name));
            }
        });
        return feature;
    }

    private static string IndexName(string table) => $"{table}_words";

    protected override IEnumerable<ISchemaObject> schemaObjects() =>
        _texts.Select(text => new NamedIndex(_options.DatabaseSchemaName, IndexName(text.Table(_options, false)),
            $"on {_options.DatabaseSchemaName}.{text.Table(_options, false)} using gin (({text.Vector(null)}))"));
}
