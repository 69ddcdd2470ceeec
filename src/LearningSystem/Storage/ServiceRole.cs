using System.Text.RegularExpressions;
using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;
using DbCommandBuilder = Weasel.Core.DbCommandBuilder;
using DbDataReader = System.Data.Common.DbDataReader;

namespace LearningSystem.Storage;

/// <summary>
/// A least-privilege deployment: the owner applies the schema (<c>db-apply</c>) with <c>Database:ServiceRole</c>
/// set, and the service then signs in as that role. It may read and write every table but may only append to
/// and read the events, and, not owning the event table, can neither disable its triggers nor drop them.
/// </summary>
public sealed partial class ServiceRoleFeature(StoreOptions options, string role) : FeatureSchemaBase("ServiceRole", options.Advanced.Migrator)
{
    public static string Checked(string role) => RoleName().IsMatch(role)
        ? role
        : throw new LearningSystem.Operations.SettingInvalid("Database:ServiceRole must be a plain PostgreSQL role name: lower-case letters, digits and underscores.");

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        yield return new ServiceRoleGrants(options.DatabaseSchemaName, role);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex RoleName();
}

public sealed class ServiceRoleGrants(string schema, string role) : ISchemaObject
{
    public DbObjectName Identifier { get; } = new PostgresqlObjectName(schema, $"grants_to_{role}", SchemaUtils.IdentifierUsage.General);

    public void WriteCreateStatement(Migrator migrator, TextWriter writer) =>
        writer.WriteLine($"""
            grant usage on schema {schema} to {role};
            grant select, insert, update, delete, truncate on all tables in schema {schema} to {role};
            grant usage, select, update on all sequences in schema {schema} to {role};
            grant execute on all functions in schema {schema} to {role};
            -- Tables the owner makes later (new views, new documents) are granted as they are made.
            alter default privileges in schema {schema} grant select, insert, update, delete, truncate on tables to {role};
            alter default privileges in schema {schema} grant usage, select, update on sequences to {role};
            revoke update, delete, truncate on {schema}.mt_events from {role};
            """);

    public void WriteDropStatement(Migrator rules, TextWriter writer) =>
        writer.WriteLine($"revoke all on all tables in schema {schema} from {role};");

    public void ConfigureQueryCommand(DbCommandBuilder builder)
    {
        // The privilege functions fail on a table or role that does not exist yet, hence the case.
        builder.Append("select 1 where case when to_regclass(");
        builder.AppendParameter($"{schema}.mt_events");
        builder.Append(") is null or not exists (select 1 from pg_roles where rolname = ");
        builder.AppendParameter(role);
        builder.Append($"""
            ) then false else
              has_table_privilege('{role}', '{schema}.mt_events', 'INSERT') and not has_table_privilege('{role}', '{schema}.mt_events', 'UPDATE')
              and not exists (select 1 from pg_tables t where t.schemaname = '{schema}'
                              and not has_table_privilege('{role}', format('%I.%I', t.schemaname, t.tablename), 'SELECT'))
            end;
            """);
    }

    public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct = default) =>
        new SchemaObjectDelta(this, await reader.ReadAsync(ct) ? SchemaPatchDifference.None : SchemaPatchDifference.Create);

    public IEnumerable<DbObjectName> AllNames()
    {
        yield return Identifier;
    }
}
