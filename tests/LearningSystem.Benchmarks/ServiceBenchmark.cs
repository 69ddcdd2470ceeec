using LearningSystem.LocalPostgres;
using LearningSystem.Participants;
using LearningSystem.Priorities;

namespace LearningSystem.Benchmarks;

/// <summary>
/// Commands over HTTP against the service as it runs (its own process, a durable local PostgreSQL), with raw
/// Marten and pgbench on the same PostgreSQL in the same run as baselines; plus cold start, memory under load
/// and how long after a 201 the views show the change. Writes docs/benchmarks.md.
/// </summary>
public static partial class ServiceBenchmark
{
    private const string Key = "benchmark-key";

    // One master key for every start of the service, as a deployment keeps its key across restarts.
    private static readonly string MasterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private const int Priorities = 2_000;
    private const int Patients = 1_000;
    private const int Restarts = 5;
    private static readonly int[] Concurrencies = [1, 8, 32];
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(12);

    private sealed record Run(string Subject, string Workload, int Concurrency, double PerSecond, double P50, double P95, double P99, long Errors)
    {
        /// <summary>Busy CPU time of the whole machine per command or transaction, where measured.</summary>
        public double MachineCpuMs { get; init; } = double.NaN;

        /// <summary>CPU time per command of the process that does the work above PostgreSQL: the service's for HTTP, the benchmark's own for raw Marten.</summary>
        public double ProcessCpuMs { get; init; } = double.NaN;
    }

    public static async Task RunAsync(string root)
    {
        await using var postgres = await StartPostgresAsync();
        var settings = await SettingsAsync(postgres.ConnectionString);
        var fsync = FsyncRate(postgres);
        var runs = new List<Run>();

        // The service, started cold, as a process of its own; the last restart stays up for the load.
        var port = LearningSystem.LocalPostgres.LocalPostgresServer.FreePort();
        using var http = ServiceClient(port);
        var (starts, service) = await StartsAsync(root, postgres.ConnectionString, port, http);
        try
        {
            var jenny = await CreateAsync(http, "/api/participants", new { displayName = "Jenny", stakeholderGroup = "student", organisationRole = "Student" });
            var priorities = new Guid[Priorities];
            for (var i = 0; i < Priorities; i++)
            {
                priorities[i] = await CreateAsync(http, "/api/priorities", new { statement = $"Shorter waits {i}", rationale = "Hours of waiting", setBy = jenny });
            }

            // Raw Marten: the same appends in this process, in a schema of its own on the same PostgreSQL.
            using var raw = await BenchmarkDatabase.StoreAsync(postgres.ConnectionString, "bench_raw", sealing: false);
            var rawPriorities = Enumerable.Range(0, Priorities).Select(_ => Guid.CreateVersion7()).ToArray();
            await using (var session = BenchmarkDatabase.Session(raw))
            {
                foreach (var id in rawPriorities)
                {
                    session.Events.StartStream<Priority>(id, new PrioritySet(id, "Shorter waits", "Hours of waiting", jenny, StakeholderGroup.Student, [], [], null, DateTimeOffset.UtcNow));
                }

                await session.SaveChangesAsync();
            }

            Task ObjectAsync(long i) => PostAsync(http, $"/api/priorities/{priorities[i % Priorities]}/objections", new { by = jenny, reason = $"Not knowing is worse ({i})" });
            var peakMemory = 0L;
            foreach (var concurrency in Concurrencies)
            {
                runs.Add(await DriveAsync("HTTP", "record patient feedback", concurrency, i => PostAsync(http, "/api/patient-feedback", Feedback(i)), service, m => peakMemory = Math.Max(peakMemory, m)));
                runs.Add(await DriveAsync("raw Marten", "record patient feedback", concurrency, i => RawFeedbackAsync(raw, i), null, null));
                runs.Add(await DriveAsync("HTTP", "objection on a priority", concurrency, ObjectAsync, service, m => peakMemory = Math.Max(peakMemory, m)));
                runs.Add(await DriveAsync("raw Marten", "objection on a priority", concurrency, i => RawMoveAsync(raw, rawPriorities[i % Priorities], jenny, i), null, null));
                runs.Add(await PgbenchAsync(postgres, concurrency));
            }

            var peakMoves = runs.Where(r => r is { Subject: "HTTP", Workload: "objection on a priority" }).Max(r => r.PerSecond);
            var lag = await LagAsync(http, priorities, jenny, peakMoves / 2);
            var phases = await MovePhasesAsync(raw, rawPriorities, jenny);
            var profile = await ProfileMovesAsync(postgres.ConnectionString, service, runs.Single(r => r is { Subject: "pgbench", Concurrency: 32 }), ObjectAsync);
            var report = Report(settings, fsync, runs, starts, peakMemory, lag, peakMoves, phases, profile, TargetsSummary.Carried(root));
            Console.WriteLine(report);
            await File.WriteAllTextAsync(Path.Combine(root, "docs", "benchmarks.md"), report);
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }
    }

    /// <summary>A throwaway PostgreSQL with durable settings, pg_stat_statements loaded but not tracking until the profile; with <paramref name="explain"/>, auto_explain is loaded too (off until a benchmark turns it on).</summary>
    private static async Task<LocalPostgresServer> StartPostgresAsync(bool explain = false)
    {
        var postgres = await LocalPostgresServer.StartAsync(new LocalPostgresOptions
        {
            Folder = LocalPostgresOptions.NewThrowawayFolder("bench"), Database = "bench", Throwaway = true, Durable = true,
            Settings = explain ? ["shared_preload_libraries=pg_stat_statements,auto_explain"] : ["shared_preload_libraries=pg_stat_statements"],
        });
        await TrackStatementsAsync(postgres.ConnectionString, "none");
        return postgres;
    }
}
