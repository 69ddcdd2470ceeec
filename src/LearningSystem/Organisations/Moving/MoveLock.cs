using LearningSystem.Storage;
using Npgsql;

namespace LearningSystem.Organisations.Moving;

/// <summary>One move or addition of an organisation at a time, on any machine: a PostgreSQL advisory lock.</summary>
public static class MoveLock
{
    /// <summary>
    /// The organisation's checkpoint lock, held on <paramref name="source"/> until disposed: one move or addition of
    /// it at a time, and no checkpoint of it meanwhile (Checkpointing takes the same lock in each transaction).
    /// </summary>
    public static async Task<IAsyncDisposable> TakeAsync(NpgsqlConnection source, string organisation, CancellationToken ct)
    {
        var key = $"learningsystem-checkpoint:{organisation}";
        await Sql.ExecuteAsync(source, "select pg_advisory_lock(hashtext(@p0))", ct, key);
        return new Unlock(source, key);
    }

    private sealed class Unlock(NpgsqlConnection source, string key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            await Sql.ExecuteAsync(source, "select pg_advisory_unlock(hashtext(@p0))", CancellationToken.None, key);
    }
}
