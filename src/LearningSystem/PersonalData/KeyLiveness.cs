using LearningSystem.Storage;

namespace LearningSystem.PersonalData;

/// <summary>
/// Sealing and erasure meet in the database: a value is never sealed under a key erased meanwhile, on any node.
/// </summary>
public static class KeyLiveness
{
    /// <summary>The SQLSTATE of a sealing transaction whose subject key was erased before it committed.</summary>
    public const string StaleKey = "LSKEY";

    /// <summary>Whether <paramref name="exception"/> says a key used for sealing was erased meanwhile: the command is run again.</summary>
    public static bool IsStaleKey(Exception exception) => Sql.Raised(exception, StaleKey);

    /// <summary>
    /// In the database: fails the transaction (SQLSTATE <see cref="StaleKey"/>) unless the key is still live,
    /// and keeps it live until the transaction ends: it holds the key's advisory lock shared, and an erasure
    /// (see <see cref="ErasureWaits"/>) takes it exclusively, so it waits for every value sealed under the key
    /// and then erases it with the rest. An advisory lock, not <c>FOR SHARE</c>: a row lock writes the key's row.
    /// It runs as <c>insert into key_assertions select * from assert_live_key(…)</c>: the function answers no
    /// rows, so nothing is inserted and no result set comes back (Marten's batch reads each operation's results
    /// in turn, and must meet none from this one), and unlike a <c>CALL</c> it is planned once per connection.
    /// </summary>
    public sealed class AssertLiveKey(string schema) : VersionedFunction(schema, "assert_live_key", Version)
    {
        private const string Version = "assert-live-key-3";

        public static string Sql(string schema) => $"insert into {schema}.key_assertions select * from {schema}.assert_live_key(?, ?)";

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
