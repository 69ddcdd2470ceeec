using Npgsql;

namespace LearningSystem.Tests.Audit;

/// <summary>
/// What someone who owns the database can do: switch the event table's triggers off for one transaction
/// (the append-only refusal and the link alike) and rewrite whatever they like.
/// </summary>
public static class Tampering
{
    public static async Task<int> ExecuteAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var off = new NpgsqlCommand("set local session_replication_role = replica", connection, transaction))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var touched = await command.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
        return touched;
    }
}
