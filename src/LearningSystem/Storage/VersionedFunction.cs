using Weasel.Core;
using Weasel.Postgresql;
using DbCommandBuilder = Weasel.Core.DbCommandBuilder;
using DbDataReader = System.Data.Common.DbDataReader;

namespace LearningSystem.Storage;

/// <summary>
/// A function or procedure of ours (and the trigger that runs it, if any), made again whenever its comment (its
/// version) differs from <paramref name="version"/>: Weasel cannot compare a body, so the comment says which it is.
/// </summary>
public abstract class VersionedFunction(string schema, string function, string version, string? trigger = null) : ISchemaObject
{
    public DbObjectName Identifier { get; } = new PostgresqlObjectName(schema, function, SchemaUtils.IdentifierUsage.General);

    protected string Schema { get; } = schema;

    public abstract void WriteCreateStatement(Migrator migrator, TextWriter writer);

    public abstract void WriteDropStatement(Migrator rules, TextWriter writer);

    public void ConfigureQueryCommand(DbCommandBuilder builder)
    {
        builder.Append(trigger is null
            ? $"select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace where p.proname = '{function}' and n.nspname = "
            : $"select 1 from pg_trigger t join pg_proc p on p.oid = t.tgfoid join pg_namespace n on n.oid = p.pronamespace where t.tgname = '{trigger}' and n.nspname = ");
        builder.AppendParameter(Schema);
        builder.Append(" and obj_description(p.oid, 'pg_proc') = ");
        builder.AppendParameter(version);
        builder.Append(';');
    }

    public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct = default) =>
        new SchemaObjectDelta(this, await reader.ReadAsync(ct) ? SchemaPatchDifference.None : SchemaPatchDifference.Create);

    public IEnumerable<DbObjectName> AllNames()
    {
        yield return Identifier;
    }
}
