using Marten;
using Marten.Schema;

namespace LearningSystem.Views;

/// <summary>
/// The documents a rebuild's page folds, written with one statement per table in the page's own transaction:
/// the rows Marten's upsert writes one statement at a time (the same JSON, type and version), in bulk.
/// </summary>
internal sealed class PageOfViews(IReadOnlyStoreOptions options)
{
    private readonly Dictionary<Type, Dictionary<Guid, (object Document, long Version)>> _stored = [];
    private readonly Dictionary<Type, List<Guid>> _deleted = [];

    /// <summary>Writes <paramref name="document"/> at <paramref name="version"/>; of one id, the last stored stands.</summary>
    public void Store(Guid id, object document, long version)
    {
        if (!_stored.TryGetValue(document.GetType(), out var rows))
        {
            _stored[document.GetType()] = rows = [];
        }

        rows[id] = (document, version);
    }

    public void Delete<T>(Guid id)
    {
        if (!_deleted.TryGetValue(typeof(T), out var ids))
        {
            _deleted[typeof(T)] = ids = [];
        }

        ids.Add(id);
    }

    public void QueueOn(IDocumentSession session, string tenant)
    {
        var serializer = options.Serializer();
        foreach (var (type, rows) in _stored)
        {
            var mapping = MappingFor(type);
            // A view versioned by its stream keeps the stream's version; a record gets a new version, as Marten gives it.
            var version = mapping.Metadata.Revision.Enabled ? "r.version" : "gen_random_uuid()";
            // The JSON goes as text[] and is cast row by row: a jsonb[] parameter was parsed twice, once as the
            // planner folded the cast and again as the unnest ran.
            session.QueueSqlCommand(
                $"""
                 insert into {mapping.TableName.QualifiedName} as d (tenant_id, id, data, mt_version, mt_dotnet_type, mt_last_modified)
                 select ?, r.id, r.data::jsonb, {version}, ?, transaction_timestamp() from unnest(?::uuid[], ?::text[], ?::bigint[]) as r(id, data, version)
                 on conflict (tenant_id, id) do update set data = excluded.data, mt_version = excluded.mt_version,
                   mt_dotnet_type = excluded.mt_dotnet_type, mt_last_modified = excluded.mt_last_modified
                 where (d.data, d.mt_dotnet_type) is distinct from (excluded.data, excluded.mt_dotnet_type){(mapping.Metadata.Revision.Enabled ? " or d.mt_version is distinct from excluded.mt_version" : "")}
                 """,
                tenant, type.FullName!, rows.Keys.ToArray(), rows.Values.Select(r => serializer.ToJson(r.Document)).ToArray(), rows.Values.Select(r => r.Version).ToArray());
        }

        foreach (var (type, ids) in _deleted)
        {
            session.QueueSqlCommand($"delete from {MappingFor(type).TableName.QualifiedName} where tenant_id = ? and id = any(?)", tenant, ids.ToArray());
        }
    }

    private DocumentMapping MappingFor(Type type)
    {
        var mapping = (DocumentMapping)options.FindOrResolveDocumentType(type);
        // Columns beyond Marten's standard ones would be left stale by the statement above.
        if (mapping.DuplicatedFields.Count > 0 || mapping.Metadata.Version.Enabled == mapping.Metadata.Revision.Enabled)
        {
            throw new NotSupportedException($"{type.Name}'s table is not one a rebuild writes in bulk.");
        }

        return mapping;
    }
}
