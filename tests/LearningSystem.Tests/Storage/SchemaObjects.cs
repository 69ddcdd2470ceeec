using Npgsql;

namespace LearningSystem.Tests.Storage;

/// <summary>
/// The schema's tables, indexes, triggers and functions as PostgreSQL knows them, each with its object id: an
/// object dropped and made again has a new id, so two readings are equal only if nothing was remade between them.
/// </summary>
public static class SchemaObjects
{
    public static async Task<SortedDictionary<string, uint>> ReadAsync(string connectionString, string schema = "learningsystem")
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            select case c.relkind when 'i' then 'index ' else 'table ' end || c.relname, c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = @schema and c.relkind in ('r', 'i', 'p')
            union all
            select 'trigger ' || t.tgname || ' on ' || c.relname, t.oid from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = @schema and not t.tgisinternal
            union all
            select 'function ' || p.oid::regprocedure::text, p.oid from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = @schema
            """, connection);
        command.Parameters.AddWithValue("schema", schema);
        var objects = new SortedDictionary<string, uint>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            objects[reader.GetString(0)] = reader.GetFieldValue<uint>(1);
        }

        return objects;
    }
}
