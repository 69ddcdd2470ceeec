using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;
using DbCommandBuilder = Weasel.Core.DbCommandBuilder;
using DbDataReader = System.Data.Common.DbDataReader;

namespace LearningSystem.Views;

/// <summary>
/// Every view's JSON is compressed with lz4 instead of PostgreSQL's default pglz. A priority's or a round's
/// document can pass 2 kB, and is then compressed whenever written and read back to be compared; pglz
/// cost a rebuild about a sixth of PostgreSQL's CPU (see docs/design.md, the rebuild). Rows written before
/// keep pglz until next written; both read the same. A PostgreSQL built without lz4 keeps pglz.
/// A feature of its own, so that it runs once every document table has been made.
/// </summary>
public sealed class ViewCompression(StoreOptions options) : FeatureSchemaBase(nameof(ViewCompression), options.Advanced.Migrator)
{
    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        yield return new Lz4(options.DatabaseSchemaName);
    }

    private sealed class Lz4(string schema) : ISchemaObject
    {
        // The document tables (Marten names them mt_doc_…) whose data column does not use lz4 yet. In name order,
        // so that two nodes starting at once lock the tables in the same order and never deadlock.
        private string Uncompressed =>
            $"""
             select c.relname::text from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = '{schema}' and c.relkind = 'r' and c.relname like 'mt\_doc\_%' and a.attname = 'data' and a.attcompression is distinct from 'l'
             order by c.relname
             """;

        public DbObjectName Identifier { get; } = new PostgresqlObjectName(schema, "view_compression", SchemaUtils.IdentifierUsage.General);

        public void WriteCreateStatement(Migrator migrator, TextWriter writer) =>
            writer.WriteLine($$"""
                do $$
                declare t text;
                begin
                  for t in {{Uncompressed}} loop
                    execute format('alter table %I.%I alter column data set compression lz4', '{{schema}}', t);
                  end loop;
                exception when feature_not_supported then
                  null; -- built without lz4: pglz stays
                end $$;
                """);

        // Nothing to drop: the default compression is what a table has without this.
        public void WriteDropStatement(Migrator rules, TextWriter writer)
        {
        }

        public void ConfigureQueryCommand(DbCommandBuilder builder)
        {
            // Counted before anything is made: on a new database no table exists yet, and the statement is still due.
            builder.Append($"select exists ({Uncompressed}) or not exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = '{schema}' and c.relname like 'mt\\_doc\\_%');");
        }

        public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct = default) =>
            new SchemaObjectDelta(this, await reader.ReadAsync(ct) && reader.GetBoolean(0) ? SchemaPatchDifference.Create : SchemaPatchDifference.None);

        public IEnumerable<DbObjectName> AllNames()
        {
            yield return Identifier;
        }
    }
}
