using System.Security.Cryptography;
using System.Text;
using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;
using DbCommandBuilder = Weasel.Core.DbCommandBuilder;
using DbDataReader = System.Data.Common.DbDataReader;

namespace LearningSystem.Audit;

/// <summary>
/// Every event is linked into a SHA-256 chain per stream: a link is the hash of the previous link and the
/// event's canonical form. A trigger on Marten's event table writes it in the same transaction as the event,
/// whatever code appended it; <see cref="Canonical"/> is the same form, recomputed independently when verifying.
/// </summary>
public static class HashChain
{
    /// <summary>Bumped whenever the canonical form or the trigger changes, so that the schema is re-applied.</summary>
    public const string Version = "learningsystem hash chain v1";
    public const string LinksTable = "event_links";

    /// <summary>
    /// Type, data as stored (JSON, or hex of binary data; ciphertext for personal fields, so erasure never breaks the chain), stream id,
    /// version, timestamp (UTC, microseconds), organisation and the metadata columns, one per line. Stored JSON
    /// has its newlines escaped, and ids and names hold none, so the lines cannot run into each other.
    /// </summary>
    public static string Canonical(
        string type, string? data, string? binaryData, Guid streamId, long version, string timestamp, string tenant,
        string? correlationId, string? causationId, string? headers) =>
        string.Join('\n', type, data ?? "", binaryData ?? "", streamId.ToString(), version.ToString(System.Globalization.CultureInfo.InvariantCulture), timestamp, tenant,
            correlationId ?? "", causationId ?? "", headers ?? "");

    public static byte[] Link(byte[]? previous, string canonical) =>
        SHA256.HashData([.. previous ?? [], .. Encoding.UTF8.GetBytes(canonical)]);

    /// <summary>The timestamp as the chain renders it, in SQL.</summary>
    public static string TimestampSql(string column) => $"to_char({column} at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
}

/// <summary>A schema feature of its own, because Marten creates those after its event tables, which the trigger needs.</summary>
public sealed class HashChainFeature(StoreOptions options) : FeatureSchemaBase("HashChain", options.Advanced.Migrator)
{
    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        yield return new HashChainSchema(options.DatabaseSchemaName);
    }
}

/// <summary>The links table, the canonical form and link functions, the trigger, and links for any events written before it.</summary>
public sealed class HashChainSchema(string schema) : ISchemaObject
{
    public DbObjectName Identifier { get; } = new PostgresqlObjectName(schema, "link_event", SchemaUtils.IdentifierUsage.General);

    public void WriteCreateStatement(Migrator migrator, TextWriter writer)
    {
        var canonical = $"""
            concat_ws(E'\n', e.type, coalesce(e.data::text, ''), coalesce(encode(e.bdata, 'hex'), ''), e.stream_id::text, e.version::text, {HashChain.TimestampSql("e.timestamp")}, e.tenant_id,
              coalesce(e.correlation_id, ''), coalesce(e.causation_id, ''), coalesce(e.headers::text, ''))
            """;
        writer.WriteLine($"""
            create table if not exists {schema}.{HashChain.LinksTable} (
              seq_id bigint primary key,
              tenant_id varchar not null,
              stream_id uuid not null,
              version bigint not null,
              link bytea not null,
              unique (tenant_id, stream_id, version));

            create or replace function {schema}.event_link({schema}.mt_events) returns bytea language sql stable as $$
              select sha256(coalesce((select l.link from {schema}.{HashChain.LinksTable} l
                                       where l.tenant_id = e.tenant_id and l.stream_id = e.stream_id and l.version = e.version - 1), ''::bytea)
                            || convert_to({canonical}, 'UTF8'))
              from (select $1.*) e
            $$;

            create or replace function {schema}.link_event() returns trigger language plpgsql as $$
            begin
              insert into {schema}.{HashChain.LinksTable} (seq_id, tenant_id, stream_id, version, link)
              values (new.seq_id, new.tenant_id, new.stream_id, new.version, {schema}.event_link(new));
              return null;
            end $$;
            comment on function {schema}.link_event() is '{HashChain.Version}';

            drop trigger if exists mt_events_link on {schema}.mt_events;
            create trigger mt_events_link after insert on {schema}.mt_events for each row execute function {schema}.link_event();

            do $$
            declare r {schema}.mt_events;
            begin
              for r in select e.* from {schema}.mt_events e
                       where not exists (select 1 from {schema}.{HashChain.LinksTable} l where l.seq_id = e.seq_id) order by e.seq_id
              loop
                insert into {schema}.{HashChain.LinksTable} (seq_id, tenant_id, stream_id, version, link)
                values (r.seq_id, r.tenant_id, r.stream_id, r.version, {schema}.event_link(r));
              end loop;
            end $$;
            """);
    }

    public void WriteDropStatement(Migrator rules, TextWriter writer) =>
        writer.WriteLine($"drop trigger if exists mt_events_link on {schema}.mt_events;");

    public void ConfigureQueryCommand(DbCommandBuilder builder)
    {
        builder.Append("select 1 from pg_trigger t join pg_proc p on p.oid = t.tgfoid join pg_namespace n on n.oid = p.pronamespace where t.tgname = 'mt_events_link' and n.nspname = ");
        builder.AppendParameter(schema);
        builder.Append(" and obj_description(p.oid, 'pg_proc') = ");
        builder.AppendParameter(HashChain.Version);
        builder.Append(';');
    }

    public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct = default) =>
        new SchemaObjectDelta(this, await reader.ReadAsync(ct) ? SchemaPatchDifference.None : SchemaPatchDifference.Create);

    public IEnumerable<DbObjectName> AllNames()
    {
        yield return Identifier;
    }
}
