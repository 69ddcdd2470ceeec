using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;

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
public sealed class HashChainSchema(string schema) : LearningSystem.Storage.VersionedFunction(schema, "link_event", HashChain.Version, "mt_events_link")
{
    public override void WriteCreateStatement(Migrator migrator, TextWriter writer)
    {
        string Canonical(string e) => $"""
            concat_ws(E'\n', {e}.type, coalesce({e}.data::text, ''), coalesce(encode({e}.bdata, 'hex'), ''), {e}.stream_id::text, {e}.version::text,
              {HashChain.TimestampSql($"{e}.timestamp")}, {e}.tenant_id, coalesce({e}.correlation_id, ''), coalesce({e}.causation_id, ''), {HashChain.HeadersSql($"{e}.headers")},
              {e}.id::text, {e}.seq_id::text, coalesce({e}.mt_dotnet_type, ''))
            """;
        // A stream's first event has no previous link, and needs no lookup.
        string Previous(string e) => $"""
            case when {e}.version = 1 then ''::bytea else
              coalesce(decode((select p.headers ->> '{HashChain.LinkHeader}' from {Schema}.mt_events p
                               where p.stream_id = {e}.stream_id and p.version = {e}.version - 1 and p.tenant_id = {e}.tenant_id), 'hex'), ''::bytea) end
            """;
        writer.WriteLine($"""
            drop trigger if exists mt_events_append_only on {Schema}.mt_events;
            drop trigger if exists mt_events_no_truncate on {Schema}.mt_events;

            -- The link an event should have, from the events as they are: for backfill and for audits in SQL.
            create or replace function {Schema}.event_link(e {Schema}.mt_events) returns bytea language sql stable as $$
              select sha256({Previous("e")} || convert_to({Canonical("e")}, 'UTF8'))
            $$;

            -- The lookup is a statement of its own, so that the hashing is a simple expression plpgsql evaluates
            -- without starting an executor.
            create or replace function {Schema}.link_event() returns trigger language plpgsql as $$
            declare previous bytea := ''::bytea;
            begin
              if new.version > 1 then
                select coalesce(decode(p.headers ->> '{HashChain.LinkHeader}', 'hex'), ''::bytea) into previous from {Schema}.mt_events p
                where p.stream_id = new.stream_id and p.version = new.version - 1 and p.tenant_id = new.tenant_id;
              end if;
              new.headers := coalesce(new.headers, '{"{}"}'::jsonb)
                || jsonb_build_object('{HashChain.LinkHeader}', encode(sha256(coalesce(previous, ''::bytea) || convert_to({Canonical("new")}, 'UTF8')), 'hex'));
              return new;
            end $$;
            comment on function {Schema}.link_event() is '{HashChain.Version}';

            drop trigger if exists mt_events_link on {Schema}.mt_events;
            create trigger mt_events_link before insert on {Schema}.mt_events for each row execute function {Schema}.link_event();

            -- Applied when the chain's version changes: events written before then are linked anew, in order.
            do $$
            declare r {Schema}.mt_events;
            begin
              for r in select * from {Schema}.mt_events order by seq_id
              loop
                update {Schema}.mt_events set headers = coalesce(headers, '{"{}"}'::jsonb)
                  || jsonb_build_object('{HashChain.LinkHeader}', encode({Schema}.event_link(r), 'hex'))
                where seq_id = r.seq_id;
              end loop;
            end $$;

            -- Marten itself only updates events to archive them, and nothing here archives.
            create or replace function {Schema}.refuse_event_change() returns trigger language plpgsql as $$
            begin
              raise exception 'events are append-only: % on mt_events refused', tg_op using errcode = 'insufficient_privilege';
            end $$;
            create trigger mt_events_append_only before update or delete on {Schema}.mt_events for each row execute function {Schema}.refuse_event_change();
            create trigger mt_events_no_truncate before truncate on {Schema}.mt_events for each statement execute function {Schema}.refuse_event_change();
            """);
    }

    public override void WriteDropStatement(Migrator rules, TextWriter writer) =>
        writer.WriteLine($"""
            drop trigger if exists mt_events_link on {Schema}.mt_events;
            drop trigger if exists mt_events_append_only on {Schema}.mt_events;
            drop trigger if exists mt_events_no_truncate on {Schema}.mt_events;
            """);
}
