using LearningSystem.Composition;
using System.Globalization;
using System.Text;
using JasperFx;
using LearningSystem.LocalPostgres;
using LearningSystem.PersonalData;
using Marten;
using LearningSystem.Attribution;
using LearningSystem.Storage;

namespace LearningSystem.Benchmarks;

/// <summary>What every benchmark shares: a throwaway PostgreSQL, the service's store in a schema of its own, sessions that say who acts, and the report's heading.</summary>
public static class BenchmarkDatabase
{
    public static Task<LocalPostgresServer> StartAsync() => LocalPostgresServer.StartAsync(new LocalPostgresOptions
    {
        Folder = LocalPostgresOptions.NewThrowawayFolder("bench"),
        Database = "bench",
        Throwaway = true,
    });

    /// <summary>The service's whole store configuration in <paramref name="schema"/>; without sealing, the guard that refuses clear personal fields is removed.</summary>
    public static async Task<DocumentStore> StoreAsync(string connectionString, string schema, bool sealing)
    {
        var store = DocumentStore.For(options =>
        {
            Modules.ConfigureStore(options, connectionString);
            options.DatabaseSchemaName = schema;
            options.AutoCreateSchemaObjects = AutoCreate.All;
            if (!sealing)
            {
                foreach (var guard in options.Listeners.OfType<SealedFieldsGuard>().ToArray())
                {
                    options.Listeners.Remove(guard);
                }
            }
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return store;
    }

    /// <summary>The same store in clear, with the hash chain's link trigger dropped: the baseline the chain is measured against.</summary>
    public static async Task<DocumentStore> StoreWithoutChainAsync(string connectionString, string schema)
    {
        var store = await StoreAsync(connectionString, schema, sealing: false);
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await Sql.ExecuteAsync(connection, $"drop trigger mt_events_link on {schema}.mt_events", CancellationToken.None);
        return store;
    }

    public static IDocumentSession Session(IDocumentStore store)
    {
        var session = store.LightweightSession("local");
        session.SetHeader(WhoActed.ClientKey, "benchmark");
        return session;
    }

    /// <summary>The nearest-rank percentile (<paramref name="p"/> from 0 to 1) of values already sorted; NaN when there are none.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        // A percent passed for a fraction would silently answer the maximum.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(p);
        return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    public static StringBuilder Heading(string title, string command)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Benchmark: {title}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run on {DateTime.UtcNow:yyyy-MM-dd} with {Environment.ProcessorCount} cores, .NET {Environment.Version}, a local PostgreSQL started by the benchmark.");
        text.AppendLine();
        text.AppendLine("```bash");
        text.AppendLine(CultureInfo.InvariantCulture, $"dotnet run -c Release --project tests/LearningSystem.Benchmarks -- {command}");
        text.AppendLine("```");
        text.AppendLine();
        return text;
    }
}
