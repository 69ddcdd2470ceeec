using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;
using DbCommandBuilder = Weasel.Core.DbCommandBuilder;
using DbDataReader = System.Data.Common.DbDataReader;

namespace LearningSystem.Audit;

/// <summary>A schema feature of its own, because Marten creates those after its event tables, which the trigger needs.</summary>
public sealed class HashChainFeature(StoreOptions options) : FeatureSchemaBase("HashChain", options.Advanced.Migrator)
{
    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        yield return new HashChainSchema(options.DatabaseSchemaName);
    }
}

/// <summary>
/// The link function, the trigger that writes each event's link, links for the events written before this
/// version of the chain (checkpoints made under an earlier version then no longer match, as they should not),
/// and the triggers that make the event table append-only: no role can update, delete or truncate an event
/// without first disabling them, which only the table's owner can do.
/// </summary>
public sealed class HashChainSchema(string schema) : ISchemaObject
{
    public DbObjectName Identifier { get; } = new PostgresqlObjectName(schema, "link_event", SchemaUtils.IdentifierUsage.General);

    public void WriteCreateStatement(Migrator migrator, TextWriter writer)
    {
        string Canonical(string e) => $"""
            concat_ws(E'\n', {e}.type, coalesce({e}.data::text, ''), coalesce(encode({e}.bdata, 'hex'), ''), {e}.stream_id::text, {e}.version::text,
              {HashChain.TimestampSql($"{e}.timestamp")}, {e}.tenant_id, coalesce({e}.correlation_id, ''), coalesce({e}.causation_id, ''), {HashChain.HeadersSql($"{e}.headers")},
              {e}.id::text, {e}.seq_id::text, coalesce({e}.mt_dotnet_type, ''))
            """;
        // A stream's first event has no previous link, and needs no lookup.
        string Previous(string e) => $"""
            case when {e}.version = 1 then ''::bytea else
              coalesce(decode((select p.headers ->> '{HashChain.LinkHeader}' from {schema}.mt_events p
                               where p.stream_id = {e}.stream_id and p.version = {e}.version - 1 and p.tenant_id = {e}.tenant_id), 'hex'), ''::bytea) end
            """;
        writer.WriteLine($"""
            drop trigger if exists mt_events_append_only on {schema}.mt_events;
            drop trigger if exists mt_events_no_truncate on {schema}.mt_events;

            -- The link an event should have, from the events as they are: for backfill and for audits in SQL.
            create or replace function {schema}.event_link(e {schema}.mt_events) returns bytea language sql stable as $$
              select sha256({Previous("e")} || convert_to({Canonical("e")}, 'UTF8'))
            $$;

            -- The lookup is a statement of its own, so that the hashing is a simple expression plpgsql evaluates
            -- without starting an executor.
            create or replace function {schema}.link_event() returns trigger language plpgsql as $$
            declare previous bytea := ''::bytea;
            begin
              if new.version > 1 then
                select coalesce(decode(p.headers ->> '{HashChain.LinkHeader}', 'hex'), ''::bytea) into previous from {schema}.mt_events p
                where p.stream_id = new.stream_id and p.version = new.version - 1 and p.tenant_id = new.tenant_id;
              end if;
              new.headers := coalesce(new.headers, '{"{}"}'::jsonb)
                || jsonb_build_object('{HashChain.LinkHeader}', encode(sha256(coalesce(previous, ''::bytea) || convert_to({Canonical("new")}, 'UTF8')), 'hex'));
              return new;
            end $$;
            comment on function {schema}.link_event() is '{HashChain.Version}';

            drop trigger if exists mt_events_link on {schema}.mt_events;
            create trigger mt_events_link before insert on {schema}.mt_events for each row execute function {schema}.link_event();

            -- Applied when the chain's version changes: events written before then are linked anew, in order.
            do $$
            declare r {schema}.mt_events;
            begin
              for r in select * from {schema}.mt_events order by seq_id
              loop
                update {schema}.mt_events set headers = coalesce(headers, '{"{}"}'::jsonb)
                  || jsonb_build_object('{HashChain.LinkHeader}', encode({schema}.event_link(r), 'hex'))
                where seq_id = r.seq_id;
              end loop;
            end $$;

            -- Marten itself only updates events to archive them, and nothing here archives.
            create or replace function {schema}.refuse_event_change() returns trigger language plpgsql as $$
            begin
              raise exception 'events are append-only: % on mt_events refused', tg_op using errcode = 'insufficient_privilege';
            end $$;
            create trigger mt_events_append_only before update or delete on {schema}.mt_events for each row execute function {schema}.refuse_event_change();
            create trigger mt_events_no_truncate before truncate on {schema}.mt_events for each statement execute function {schema}.refuse_event_change();
            """);
    }

    public void WriteDropStatement(Migrator rules, TextWriter writer) =>
        writer.WriteLine($"""
            drop trigger if exists mt_events_link on {schema}.mt_events;
            drop trigger if exists mt_events_append_only on {schema}.mt_events;
            drop trigger if exists mt_events_no_truncate on {schema}.mt_events;
            """);

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
