using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;
using DbCommandBuilder = Weasel.Core.DbCommandBuilder;
using DbDataReader = System.Data.Common.DbDataReader;

namespace LearningSystem.Storage;

/// <summary>
/// An index on the event table over an expression Marten does not know, such as a header: by organisation, the
/// expression, then the sequence, so that one value's events are read in order without a sort.
/// </summary>
public sealed class EventIndex(StoreOptions options, string name, string expression) : FeatureSchemaBase($"EventIndex{name}", options.Advanced.Migrator)
{
    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        yield return new Index(options.DatabaseSchemaName, $"mt_events_{name}", expression);
    }

    private sealed class Index(string schema, string name, string expression) : ISchemaObject
    {
        public DbObjectName Identifier => new PostgresqlObjectName(schema, name, SchemaUtils.IdentifierUsage.General);

        public void WriteCreateStatement(Migrator migrator, TextWriter writer) =>
            writer.WriteLine($"create index if not exists {name} on {schema}.mt_events (tenant_id, ({expression}), seq_id) where ({expression}) is not null;");

        public void WriteDropStatement(Migrator rules, TextWriter writer) => writer.WriteLine($"drop index if exists {schema}.{name};");

        public void ConfigureQueryCommand(DbCommandBuilder builder) =>
            builder.Append($"select exists (select 1 from pg_indexes where schemaname = '{schema}' and indexname = '{name}');");

        public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct = default) =>
            new SchemaObjectDelta(this, await reader.ReadAsync(ct) && reader.GetBoolean(0) ? SchemaPatchDifference.None : SchemaPatchDifference.Create);

        public IEnumerable<DbObjectName> AllNames()
        {
            yield return Identifier;
        }
    }
}
