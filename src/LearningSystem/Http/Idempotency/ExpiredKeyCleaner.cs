using Marten;

namespace LearningSystem.Http.Idempotency;

/// <summary>Expired keys are ignored when met; this lets them go from the table once an hour, in every organisation.</summary>
public sealed class ExpiredKeyCleaner(IDocumentStore store, TimeProvider clock, ILogger<ExpiredKeyCleaner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var hourly = new PeriodicTimer(TimeSpan.FromHours(1));
        while (await hourly.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ForgetExpiredAsync(store, clock.GetUtcNow(), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Expired idempotency keys could not be removed; they are ignored until the next try.");
            }
        }
    }

    /// <summary>Removes the keys expired by <paramref name="now"/>, in every organisation; answers how many.</summary>
    public static async Task<int> ForgetExpiredAsync(IDocumentStore store, DateTimeOffset now, CancellationToken ct)
    {
        var forgotten = 0;
        foreach (var database in await store.Storage.AllDatabases())
        {
            await using var connection = database.CreateConnection();
            await connection.OpenAsync(ct);
            await using var delete = new Npgsql.NpgsqlCommand(
                $"delete from {store.Options.Schema.For<IdempotentRequest>()} where (data ->> 'expiresAt')::timestamptz < @now", connection);
            delete.Parameters.AddWithValue("now", now);
            forgotten += await delete.ExecuteNonQueryAsync(ct);
        }

        return forgotten;
    }
}
