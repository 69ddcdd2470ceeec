using LearningSystem.Storage;

namespace LearningSystem.PersonalData;

/// <summary>
/// Sealing and erasure meet in the database: a value is never sealed under a key erased meanwhile, on any node.
/// </summary>
public static class KeyLiveness
{
    /// <summary>The SQLSTATE of a sealing transaction whose subject key was erased before it committed.</summary>
    public const string StaleKey = "LSKEY";

    /// <summary>
    /// The event header naming the existing subject keys its session sealed under (<see cref="SealedUnder"/>
    /// asserts each as the event is written). Keys made in the same transaction are not named: nothing can have
    /// erased them yet.
    /// </summary>
    public const string SealedUnderHeader = "sealedUnder";

    /// <summary>Whether <paramref name="exception"/> says a key used for sealing was erased meanwhile: the command is run again.</summary>
    public static bool IsStaleKey(Exception exception) => Sql.Raised(exception, StaleKey);

    /// <summary>
    /// In the database: fails the transaction (SQLSTATE <see cref="StaleKey"/>) unless the key is still live,
    /// and keeps it live until the transaction ends: it holds the key's advisory lock shared, and an erasure
    /// (see <see cref="ErasureWaits"/>) takes it exclusively, so it waits for every value sealed under the key
    /// and then erases it with the rest. An advisory lock, not <c>FOR SHARE</c>: a row lock writes the key's row.
    /// <see cref="SealedUnder"/> calls it for each key an event names. Nodes of earlier versions ran it in their
    /// batch as <c>insert into key_assertions select * from assert_live_key(…)</c>, so its shape and that table
    /// stay while such a node may still run.
    /// </summary>
    public sealed class AssertLiveKey(string schema) : VersionedFunction(schema, "assert_live_key", Version)
    {
        private const string Version = "assert-live-key-3";

        public override void WriteCreateStatement(Weasel.Core.Migrator migrator, TextWriter writer) =>
            writer.WriteLine($$"""
                drop procedure if exists {{Schema}}.assert_live_key(varchar, uuid);
                create table if not exists {{Schema}}.key_assertions (key uuid);
                comment on table {{Schema}}.key_assertions is 'Always empty: sealing transactions assert their keys by inserting the no rows assert_live_key answers.';
                create or replace function {{Schema}}.assert_live_key(organisation varchar, key uuid) returns setof uuid language plpgsql as $$
                begin
                  perform pg_advisory_xact_lock_shared(hashtextextended(key::text, 0));
                  perform 1 from {{Schema}}.mt_doc_subjectkey
                  where tenant_id = organisation and id = key and data -> 'wrappedKey' is not null and data -> 'wrappedKey' <> 'null'::jsonb;
                  if not found then
                    raise exception 'the subject key % was erased meanwhile', key using errcode = '{{StaleKey}}';
                  end if;
                  return;
                end $$;
                comment on function {{Schema}}.assert_live_key(varchar, uuid) is '{{Version}}';
                """);

        public override void WriteDropStatement(Weasel.Core.Migrator rules, TextWriter writer) =>
            writer.WriteLine($"drop function if exists {Schema}.assert_live_key(varchar, uuid);");
    }

    /// <summary>
    /// Each event naming keys in its <see cref="SealedUnderHeader"/> header asserts them as it is inserted, in the
    /// append's own statement: no statement of its own in the batch. A copy of an organisation's events into its own
    /// database turns the trigger off for the copy (the keys are copied after the events, and erased ones stay erased).
    /// </summary>
    public sealed class SealedUnder(string schema) : VersionedFunction(schema, "assert_sealed_under", Version, Trigger)
    {
        public const string Trigger = "mt_events_sealed_under";
        private const string Version = "assert-sealed-under-1";

        public override void WriteCreateStatement(Weasel.Core.Migrator migrator, TextWriter writer) =>
            writer.WriteLine($$"""
                create or replace function {{Schema}}.assert_sealed_under() returns trigger language plpgsql as $$
                declare key text;
                begin
                  for key in select jsonb_array_elements_text(new.headers -> '{{SealedUnderHeader}}') loop
                    perform {{Schema}}.assert_live_key(new.tenant_id, key::uuid);
                  end loop;
                  return new;
                end $$;
                comment on function {{Schema}}.assert_sealed_under() is '{{Version}}';
                drop trigger if exists {{Trigger}} on {{Schema}}.mt_events;
                create trigger {{Trigger}} before insert on {{Schema}}.mt_events for each row
                  when (new.headers ? '{{SealedUnderHeader}}')
                  execute function {{Schema}}.assert_sealed_under();
                """);

        public override void WriteDropStatement(Weasel.Core.Migrator rules, TextWriter writer) =>
            writer.WriteLine($"drop trigger if exists {Trigger} on {Schema}.mt_events;");
    }

    /// <summary>An update that drops a key's wrapped key (an erasure) takes the key's advisory lock exclusively, whoever makes it.</summary>
    public sealed class ErasureWaits(string schema) : VersionedFunction(schema, "erasure_waits_for_sealing", Version, "mt_doc_subjectkey_erasure_waits")
    {
        private const string Version = "erasure-waits-1";

        public override void WriteCreateStatement(Weasel.Core.Migrator migrator, TextWriter writer) =>
            writer.WriteLine($$"""
                create or replace function {{Schema}}.erasure_waits_for_sealing() returns trigger language plpgsql as $$
                begin
                  perform pg_advisory_xact_lock(hashtextextended(old.id::text, 0));
                  return new;
                end $$;
                comment on function {{Schema}}.erasure_waits_for_sealing() is '{{Version}}';
                drop trigger if exists mt_doc_subjectkey_erasure_waits on {{Schema}}.mt_doc_subjectkey;
                create trigger mt_doc_subjectkey_erasure_waits before update on {{Schema}}.mt_doc_subjectkey for each row
                  when (new.data -> 'wrappedKey' is null or new.data -> 'wrappedKey' = 'null'::jsonb)
                  execute function {{Schema}}.erasure_waits_for_sealing();
                """);

        public override void WriteDropStatement(Weasel.Core.Migrator rules, TextWriter writer) =>
            writer.WriteLine($"drop trigger if exists mt_doc_subjectkey_erasure_waits on {Schema}.mt_doc_subjectkey;");
    }
}
