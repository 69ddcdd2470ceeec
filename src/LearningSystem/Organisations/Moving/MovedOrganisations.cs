using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;

namespace LearningSystem.Organisations.Moving;

/// <summary>
/// In every database under database-per-organisation tenancy: the organisations that have moved out of it, and
/// a trigger that refuses any event appended for one of them. A node that found an organisation here a moment
/// before it moved cannot then write where nobody will read.
/// </summary>
public sealed class MovedOrganisationsFeature(StoreOptions options) : FeatureSchemaBase("MovedOrganisations", options.Advanced.Migrator)
{
    /// <summary>The SQLSTATE of an append refused because its organisation moved (or is moving).</summary>
    public const string Refused = "LSMOV";
    public const string Table = "organisations_moved";
    private const string Version = "moved-organisations-1";

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        yield return new Guard(options.DatabaseSchemaName);
    }

    private sealed class Guard(string schema) : LearningSystem.Storage.VersionedFunction(schema, "refuse_moved_organisation", Version, "mt_events_moved_organisation")
    {
        public override void WriteCreateStatement(Migrator migrator, TextWriter writer) =>
            writer.WriteLine($"""
                create table if not exists {Schema}.{Table} (
                  tenant_id text primary key,
                  moved_to text not null,
                  moved_at timestamptz not null default now());

                create or replace function {Schema}.refuse_moved_organisation() returns trigger language plpgsql as $$
                begin
                  if exists (select 1 from {Schema}.{Table} m where m.tenant_id = new.tenant_id) then
                    raise exception 'organisation % has moved to a database of its own', new.tenant_id using errcode = '{Refused}';
                  end if;
                  return new;
                end $$;
                comment on function {Schema}.refuse_moved_organisation() is '{Version}';

                drop trigger if exists mt_events_moved_organisation on {Schema}.mt_events;
                create trigger mt_events_moved_organisation before insert on {Schema}.mt_events
                  for each row execute function {Schema}.refuse_moved_organisation();
                """);

        public override void WriteDropStatement(Migrator rules, TextWriter writer) =>
            writer.WriteLine($"drop trigger if exists mt_events_moved_organisation on {Schema}.mt_events;");
    }
}
