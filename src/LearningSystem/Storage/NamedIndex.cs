using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;
using DbCommandBuilder = Weasel.Core.DbCommandBuilder;
using DbDataReader = System.Data.Common.DbDataReader;

namespace LearningSystem.Storage;

/// <summary>
/// An index Marten does not know how to describe (an expression over a list in the JSON, a header, a partial index),
/// made when missing and known by its name: its definition is ours, so a changed definition needs a new name.
/// </summary>
public sealed class NamedIndex(string schema, string name, string definition) : ISchemaObject
{
    public DbObjectName Identifier => new PostgresqlObjectName(schema, name, SchemaUtils.IdentifierUsage.General);

    public void WriteCreateStatement(Migrator migrator, TextWriter writer) => writer.WriteLine($"create index if not exists {name} {definition};");

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
