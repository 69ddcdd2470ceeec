using Npgsql;

namespace LearningSystem.Storage;

/// <summary>Plain SQL on an open connection, its values named <c>@p0</c>, <c>@p1</c> …, for the few places that work beside Marten.</summary>
public static class Sql
{
    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object[] values)
    {
        await using var command = Command(connection, sql, values);
        await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object[] values)
    {
        await using var command = Command(connection, sql, values);
        return await command.ExecuteScalarAsync(ct);
    }

    public static async Task<List<T>> ListAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct, params object[] values)
    {
        await using var command = Command(connection, sql, values);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(reader.GetFieldValue<T>(0));
        }

        return list;
    }

    /// <summary>Whether PostgreSQL raised <paramref name="sqlState"/> anywhere in <paramref name="exception"/>'s chain (Marten wraps what it raises).</summary>
    public static bool Raised(Exception exception, string sqlState)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException raised && raised.SqlState == sqlState)
            {
                return true;
            }
        }

        return false;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.AddWithValue($"p{i}", values[i]);
        }

        return command;
    }
}
