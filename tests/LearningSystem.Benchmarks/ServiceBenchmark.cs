using LearningSystem.PersonalData;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LearningSystem.Access;
using LearningSystem.Feedback;
using LearningSystem.LocalPostgres;
using LearningSystem.Negotiating;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using Marten;
using Npgsql;

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
    }

    public static async Task RunAsync(string root)
    {
        await using var postgres = await StartPostgresAsync();
        var settings = await SettingsAsync(postgres.ConnectionString);
        var fsync = FsyncRate(postgres);
        var runs = new List<Run>();

        // The service, started cold, as a process of its own; the last restart stays up for the load.
        var port = FreePort();
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

    /// <summary>Cold start alone (`-- cold-start`): the same starts as the suite's, printed, without the load.</summary>
    public static async Task ColdStartAsync(string root)
    {
        await using var postgres = await StartPostgresAsync();
        var port = FreePort();
        using var http = ServiceClient(port);
        var (starts, service) = await StartsAsync(root, postgres.ConnectionString, port, http);
        service.Kill(entireProcessTree: true);
        await service.WaitForExitAsync();
        Console.WriteLine(Describe(starts));
    }

    /// <summary>A throwaway PostgreSQL with durable settings, pg_stat_statements loaded but not tracking until the profile.</summary>
    private static async Task<LocalPostgresServer> StartPostgresAsync()
    {
        var postgres = await LocalPostgresServer.StartAsync(new LocalPostgresOptions
        {
            Folder = LocalPostgresOptions.NewThrowawayFolder("bench"), Database = "bench", Throwaway = true, Durable = true,
            Settings = ["shared_preload_libraries=pg_stat_statements"],
        });
        await TrackStatementsAsync(postgres.ConnectionString, "none");
        return postgres;
    }

    /// <summary>The load generator's client of the service, signed in with the benchmark's key.</summary>
    private static HttpClient ServiceClient(int port)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        return http;
    }

    private sealed record Start(TimeSpan Created, TimeSpan Listening, TimeSpan SecondEndpoint);

    private sealed record Starts(TimeSpan First, Start[] Restarts)
    {
        /// <summary>The restart with the median time to the first 201.</summary>
        public Start Median => Restarts.OrderBy(r => r.Created).ElementAt(Restarts.Length / 2);
    }

    /// <summary>
    /// The very first start (which creates the schema), then restarts, the cold start that recurs: the schema is in
    /// place and the process is new. Answers the figures and the last restart, still running.
    /// </summary>
    private static async Task<(Starts Starts, Process Service)> StartsAsync(string root, string connectionString, int port, HttpClient http)
    {
        var dll = await PublishAsync(root);
        var service = StartService(dll, connectionString, port);
        var first = await FirstCreatedAsync(http, service.Started);
        var restarts = new List<Start>();
        for (var i = 0; i < Restarts; i++)
        {
            service.Process.Kill(entireProcessTree: true);
            await service.Process.WaitForExitAsync();
            service = StartService(dll, connectionString, port);
            restarts.Add(await FirstCreatedAsync(http, service.Started));
        }

        return (new Starts(first.Created, [.. restarts]), service.Process);
    }

    private static string Describe(Starts starts)
    {
        var median = starts.Median;
        var all = string.Join(", ", starts.Restarts.Select(r => r.Created.TotalSeconds.ToString("N2", CultureInfo.InvariantCulture)));
        return string.Create(CultureInfo.InvariantCulture,
            $"Cold start, from starting the service's process to the first 201 (registering a participant): {median.Created.TotalSeconds:N2} s, the median of {starts.Restarts.Length} restarts ({all} s); {starts.First.TotalSeconds:N2} s on the very first start, which also creates the schema in an empty database. In the median restart the host answered `/health/live` after {median.Listening.TotalSeconds:N2} s, the first command took {(median.Created - median.Listening).TotalSeconds:N2} s more, and a second endpoint's first command (recording feedback) then took {median.SecondEndpoint.TotalMilliseconds:N0} ms.");
    }

    private static string Report(
        string settings, string fsync, List<Run> runs, Starts starts, long peakMemory, double[] lag, double peakMoves, string phases, (string Text, double CpuRatio) profile, string otherTargets)
    {
        var coldStart = starts.Median.Created;
        string N(double v, string format = "N0") => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);
        var memory = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal)) is { } line
            ? $"{long.Parse(Regex.Match(line, @"\d+").Value, CultureInfo.InvariantCulture) / 1_048_576.0:N1} GiB" : "unknown";
        var text = new StringBuilder();
        text.AppendLine("# Benchmarks");
        text.AppendLine();
        text.AppendLine("Written by the suite below; rerun it to refresh every figure here. The other benchmarks write reports of their own, listed at the end.");
        text.AppendLine();
        text.AppendLine("```bash");
        text.AppendLine("dotnet run -c Release --project tests/LearningSystem.Benchmarks -- suite");
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine("## The machine and the method");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Run on {DateTime.UtcNow:yyyy-MM-dd}: {Environment.ProcessorCount} cores, {memory} of memory, .NET {Environment.Version}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Disk: {fsync}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- PostgreSQL, started by the suite on this machine with durable settings: {settings}.");
        text.AppendLine("- The service runs as its own process (`src/LearningSystem`, Release build), on the same PostgreSQL, signed in with an API key.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Load generator: a C# driver on `HttpClient` (in `tests/LearningSystem.Benchmarks/ServiceBenchmark.cs`), closed loop: each of N workers sends its next command as soon as the last is answered. {WarmUp.TotalSeconds:N0} s of warm-up, then {Measure.TotalSeconds:N0} s measured, per workload and concurrency.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Workloads: recording patient feedback (a new stream; the comment and patient reference sealed under the patient's key, {Patients} patients; the hash chain) and an objection on one of {Priorities} existing priorities (FetchForWriting, append, the inline view, the hash chain).");
        text.AppendLine("- Raw Marten: the same event appends in the benchmark's process, without HTTP, in a schema of its own on the same PostgreSQL (feedback without the sealing; objections with FetchForWriting and the inline view and chain), at the same concurrency.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- pgbench: `pgbench -n -c N -j min(N, cores) -T {Measure.TotalSeconds:N0}` with a transaction that bumps a stream's version and inserts the event row (plain tables, no trigger), on the same PostgreSQL.");
        text.AppendLine();
        foreach (var workload in new[] { "record patient feedback", "objection on a priority" })
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"## {char.ToUpperInvariant(workload[0])}{workload[1..]}");
            text.AppendLine();
            text.AppendLine("| concurrency | HTTP commands/s | p50 / p95 / p99 ms | raw Marten appends/s | p50 / p95 / p99 ms | pgbench tps (avg ms) | HTTP ÷ raw Marten | HTTP ÷ pgbench | HTTP errors |");
            text.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var c in Concurrencies)
            {
                var h = runs.Single(r => r.Subject == "HTTP" && r.Workload == workload && r.Concurrency == c);
                var m = runs.Single(r => r.Subject == "raw Marten" && r.Workload == workload && r.Concurrency == c);
                var p = runs.Single(r => r.Subject == "pgbench" && r.Concurrency == c);
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {c} | {N(h.PerSecond)} | {N(h.P50, "N1")} / {N(h.P95, "N1")} / {N(h.P99, "N1")} | {N(m.PerSecond)} | {N(m.P50, "N1")} / {N(m.P95, "N1")} / {N(m.P99, "N1")} | {N(p.PerSecond)} ({N(p.P50, "N2")}) | {h.PerSecond / m.PerSecond:P0} | {h.PerSecond / p.PerSecond:P0} | {h.Errors} |");
            }

            text.AppendLine();
        }

        text.AppendLine("## Start, memory and views");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- {Describe(starts)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Resident memory of the service under load (working set, sampled every 200 ms during the HTTP runs): at most {peakMemory / 1_048_576.0:N0} MiB.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- How long after a 201 the view shows the change, with objections sent at half the peak rate ({peakMoves / 2:N0}/s): p50 {N(Percentile(lag, 0.5), "N1")} ms, p95 {N(Percentile(lag, 0.95), "N1")} ms over {lag.Length} probes. Every view is inline, updated in the command's own transaction, so no projection daemon runs and the view never lags the 201; the figure is the time of the first read that shows it.");
        text.AppendLine();
        var moves32 = runs.Single(r => r is { Subject: "HTTP", Workload: "objection on a priority", Concurrency: 32 });
        var raw32 = runs.Single(r => r is { Subject: "raw Marten", Workload: "objection on a priority", Concurrency: 32 });
        var pg32 = runs.Single(r => r is { Subject: "pgbench", Concurrency: 32 });
        var p99At8 = runs.Where(r => r is { Subject: "HTTP", Concurrency: 8 }).Max(r => r.P99);
        string Met(bool met) => met ? "met" : "missed";
        text.AppendLine("## Targets");
        text.AppendLine();
        text.AppendLine("| target | measured | |");
        text.AppendLine("| --- | ---: | --- |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| moves over HTTP at concurrency 32 ≥ 60% of raw Marten | {moves32.PerSecond / raw32.PerSecond:P0} | {Met(moves32.PerSecond >= 0.6 * raw32.PerSecond)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| moves over HTTP at concurrency 32 ≥ 35% of pgbench | {moves32.PerSecond / pg32.PerSecond:P0} | {Met(moves32.PerSecond >= 0.35 * pg32.PerSecond)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| p99 at concurrency 8 ≤ 25 ms (both workloads) | {p99At8:N1} ms | {Met(p99At8 <= 25)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| cold start to the first 201 ≤ 3 s | {coldStart.TotalSeconds:N2} s | {Met(coldStart <= TimeSpan.FromSeconds(3))} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| view lag p95 < 500 ms at half of peak load | {N(Percentile(lag, 0.95), "N1")} ms | {Met(Percentile(lag, 0.95) < 500)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| issue 19: p99 at concurrency 8 ≤ 20 ms (both workloads) | {p99At8:N1} ms | {Met(p99At8 <= 20)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| issue 19: the machine's CPU per move at concurrency 32 ≤ 2 × a pgbench transaction's (below) | {profile.CpuRatio:N1} × | {Met(profile.CpuRatio <= 2)} |");
        text.AppendLine();
        text.Append(otherTargets);
        text.AppendLine();
        text.AppendLine("## Where a move's time goes");
        text.AppendLine();
        text.AppendLine(profile.Text);
        text.AppendLine(CultureInfo.InvariantCulture, $"In raw Marten at concurrency 32 ({Measure.TotalSeconds:N0} s), an objection spends {phases}.");
        text.AppendLine();
        text.AppendLine("What limits the figures, and what was tried, is in `docs/design.md` (Performance).");
        text.AppendLine();
        text.AppendLine("## Other benchmarks");
        text.AppendLine();
        text.AppendLine("Each starts its own throwaway PostgreSQL (fsync off, as the tests' is, except where the row says durable), runs the service's own store configuration, and writes its report to `docs/benchmarks/`.");
        text.AppendLine();
        text.AppendLine("| benchmark | command | report |");
        text.AppendLine("| --- | --- | --- |");
        text.AppendLine("| Sealing personal data when recording feedback against clear text, and the hash chain against clear text without it, in the same run (issue 19: each under 10%) | `dotnet run -c Release --project tests/LearningSystem.Benchmarks -- personal-data` | [personal-data.md](benchmarks/personal-data.md) |");
        text.AppendLine("| The hash chain's cost on appends (new streams and moves), against the same store without it, in the same run (issue 19: under 10%) | `dotnet run -c Release --project tests/LearningSystem.Benchmarks -- hash-chain` | [hash-chain.md](benchmarks/hash-chain.md) |");
        text.AppendLine("| What analysts wait for on a generated store of a million events: NDJSON export rate and memory, rebuilding every view, time travel on a priority with 1,000 events (issue 19: a rebuild of at least 50,000 events/s); the generator is `tests/LearningSystem.Benchmarks/AnalysisBenchmark.cs` | `dotnet run -c Release --project tests/LearningSystem.Benchmarks -- analysis [events]` | [analysis.md](benchmarks/analysis.md) |");
        text.AppendLine("| Cost against history: endorsements on one priority, interim rankings in one round and objections to one priority, the last 200 against the first 200 and paired against a fresh target, then 32 respondents at once; the service as a process on a durable PostgreSQL (issue 19: at most 1.1×, and 32 × 201) | `dotnet run -c Release --project tests/LearningSystem.Benchmarks -- growth [moves] [respondents] [objections]` | [growth.md](benchmarks/growth.md) |");
        text.AppendLine("| One, two and three service processes on one durable PostgreSQL, commands round-robin at concurrency 32 | `dotnet run -c Release --project tests/LearningSystem.Benchmarks -- nodes` | [nodes.md](benchmarks/nodes.md) |");
        text.AppendLine("| Moving an organisation of 1,000, 10,000 and 100,000 events from the shared database into its own with the published service's `move-organisation`: the whole move, how long its commands are refused, and how long every organisation's appends to the shared database wait | `dotnet run -c Release --project tests/LearningSystem.Benchmarks -- move [events ...]` | [move.md](benchmarks/move.md) |");
        text.AppendLine("| Each explorer page for a priority negotiated through 500 moves and decided, in a round of 100 respondents, asked for in turn by a signed-in browser session (target: under 200 ms) | `dotnet run -c Release --project tests/LearningSystem.Benchmarks -- explorer` | [explorer.md](benchmarks/explorer.md) |");
        return text.ToString();
    }

    /// <summary>A coarse profile of a move at concurrency 32: the fetch for writing, and the commit (append, inline view, chain, fsync).</summary>
    private static async Task<string> MovePhasesAsync(IDocumentStore store, Guid[] priorities, Guid by)
    {
        long fetching = 0, committing = 0, moves = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 32).Select(worker => Task.Run(async () =>
        {
            for (var i = (long)worker; clock.Elapsed < Measure; i += 32)
            {
                await using var session = BenchmarkDatabase.Session(store);
                var started = Stopwatch.GetTimestamp();
                var priority = priorities[i % Priorities];
                var stream = await session.Events.FetchForWriting<Priority>(priority);
                var fetched = Stopwatch.GetTimestamp();
                stream.AppendOne(new ObjectionRaised(priority, Guid.CreateVersion7(), by, StakeholderGroup.Student, "Profiled", DateTimeOffset.UtcNow));
                await session.SaveChangesAsync();
                Interlocked.Add(ref fetching, fetched - started);
                Interlocked.Add(ref committing, Stopwatch.GetTimestamp() - fetched);
                Interlocked.Increment(ref moves);
            }
        })));
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency / Math.Max(moves, 1);
        return $"{Ms(fetching):N1} ms in FetchForWriting and {Ms(committing):N1} ms in SaveChangesAsync on average, over {moves:N0} objections";
    }

    private static object Feedback(long i) => new
    {
        service = "Outpatient Diabetes Clinic", source = "ward-survey-kiosk", receivedAt = DateTimeOffset.UtcNow, rating = "poor",
        comment = $"I waited two hours and nobody told me why ({i}).", patientRef = $"kiosk-{i % Patients}", consent = new[] { "serviceImprovement" },
    };

    private static async Task RawFeedbackAsync(IDocumentStore store, long i)
    {
        await using var session = BenchmarkDatabase.Session(store);
        var id = Guid.CreateVersion7();
        session.Events.StartStream<PatientFeedback>(id, new PatientFeedbackRecorded(
            id, $"feedback:{id}", "Outpatient Diabetes Clinic", "ward-survey-kiosk", DateTimeOffset.UtcNow, FeedbackRating.Poor,
            $"I waited two hours and nobody told me why ({i}).", null, [ConsentScope.ServiceImprovement], DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
    }

    /// <summary>What the objection endpoint does to the store: fetch the priority for writing, append, let the inline view and the chain follow.</summary>
    private static async Task RawMoveAsync(IDocumentStore store, Guid priority, Guid by, long i)
    {
        await using var session = BenchmarkDatabase.Session(store);
        var stream = await session.Events.FetchForWriting<Priority>(priority);
        stream.AppendOne(new ObjectionRaised(priority, Guid.CreateVersion7(), by, StakeholderGroup.Student, $"Not knowing is worse ({i})", DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
    }

    private static async Task PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        if ((int)response.StatusCode != 201)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task<Guid> CreateAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Closed-loop load: <paramref name="concurrency"/> workers, each sending its next command as soon as the last is answered.</summary>
    /// <summary>
    /// A profile of objections over HTTP at concurrency 32: the CPU time each move costs the service, PostgreSQL's
    /// processes and this load generator (read from /proc), and the statements PostgreSQL ran per move with their
    /// execution time (pg_stat_statements, tracking only during this run).
    /// </summary>
    /// <summary>A profile of moves at concurrency 32, and what a move costs the machine against a pgbench transaction.</summary>
    private static async Task<(string Text, double CpuRatio)> ProfileMovesAsync(string connectionString, Process service, Run pgbench, Func<long, Task> move)
    {
        await TrackStatementsAsync(connectionString, "all");

        var (serviceBefore, postgresBefore, driverBefore) = (service.TotalProcessorTime, PostgresCpu(), Process.GetCurrentProcess().TotalProcessorTime);
        var machineBefore = MachineTicks();
        long next = 0, moves = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < Measure)
            {
                await move(Interlocked.Increment(ref next));
                Interlocked.Increment(ref moves);
            }
        })));
        var elapsed = clock.Elapsed;
        service.Refresh();
        var (serviceMs, postgresMs, driverMs) = ((service.TotalProcessorTime - serviceBefore).TotalMilliseconds / moves, (PostgresCpu() - postgresBefore).TotalMilliseconds / moves,
            (Process.GetCurrentProcess().TotalProcessorTime - driverBefore).TotalMilliseconds / moves);
        var machineAfter = MachineTicks();
        var idle = (double)(machineAfter.Idle - machineBefore.Idle) / Math.Max(machineAfter.Total - machineBefore.Total, 1);
        var machineMs = BusyMs(machineBefore, machineAfter) / moves;

        var text = new StringBuilder();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Objections over HTTP at concurrency 32 for {elapsed.TotalSeconds:N0} s, profiled ({moves / elapsed.TotalSeconds:N0}/s, {moves:N0} moves; the machine was {idle:P0} idle). CPU time per move, from /proc: the service {serviceMs:N2} ms, PostgreSQL's processes {postgresMs:N2} ms, this load generator {driverMs:N2} ms; the whole machine was busy {machineMs:N2} ms per move, against {pgbench.MachineCpuMs:N2} ms per pgbench transaction at the same concurrency (PostgreSQL and pgbench together), so a move costs the machine {machineMs / pgbench.MachineCpuMs:N1} times as much. With {Environment.ProcessorCount} cores, that bounds moves at about {Environment.ProcessorCount * 1000 / machineMs:N0}/s; reaching 35% of pgbench would need a move to cost at most {1 / 0.35:N1} times a pgbench transaction.");
        text.AppendLine();
        text.AppendLine("What PostgreSQL ran per move (pg_stat_statements, statements run at least once per two moves; nested statements of functions and triggers are listed too, and their time is also part of their caller's):");
        text.AppendLine();
        text.AppendLine("| statement | per move | mean ms | share of execution time |");
        text.AppendLine("| --- | ---: | ---: | ---: |");
        await using (var command = new NpgsqlCommand(
            "select calls, total_exec_time, mean_exec_time, sum(total_exec_time) filter (where toplevel) over () as top, query from pg_stat_statements where calls >= @least order by total_exec_time desc limit 14", connection))
        {
            command.Parameters.AddWithValue("least", moves / 2);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var sql = Regex.Replace(reader.GetString(4), @"\s+", " ");
                sql = (sql.Length > 110 ? sql[..110] + "…" : sql).Replace("|", "\\|", StringComparison.Ordinal);
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| `{sql}` | {reader.GetInt64(0) / (double)moves:N2} | {reader.GetDouble(2):N3} | {reader.GetDouble(1) / reader.GetDouble(3):P0} |");
            }
        }

        await TrackStatementsAsync(connectionString, "none");
        return (text.ToString(), machineMs / pgbench.MachineCpuMs);
    }

    /// <summary>pg_stat_statements tracks every statement (nested ones too) or none, for every session at once, from zero.</summary>
    private static async Task TrackStatementsAsync(string connectionString, string track)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var sql in new[] { "create extension if not exists pg_stat_statements", $"alter system set pg_stat_statements.track = '{track}'", "select pg_reload_conf()" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        // Sessions pick the reloaded setting up between statements.
        await Task.Delay(500);
        await using var reset = new NpgsqlCommand("select pg_stat_statements_reset()", connection);
        await reset.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// CPU time of every PostgreSQL process so far, ended ones included: utime and stime of /proc/*/stat (in
    /// hundredths of a second), plus cutime and cstime, where the postmaster keeps what its ended backends and
    /// autovacuum workers spent. Without those, a process that ended during a measurement took its CPU with it.
    /// </summary>
    internal static TimeSpan PostgresCpu()
    {
        long ticks = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc").Where(f => Path.GetFileName(f).All(char.IsAsciiDigit)))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var end = stat.LastIndexOf(')');
                if (stat.AsSpan(stat.IndexOf('(') + 1, end - stat.IndexOf('(') - 1) is "postgres")
                {
                    var fields = stat[(end + 2)..].Split(' ');
                    ticks += fields[11..15].Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
                // A process that ended while being read.
            }
        }

        return TimeSpan.FromMilliseconds(ticks * 10.0);
    }

    /// <summary>Idle and total CPU ticks of the whole machine, from the first line of /proc/stat.</summary>
    private static (long Idle, long Total) MachineTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return (fields[3] + fields[4], fields.Take(8).Sum());
    }

    /// <summary>Busy CPU milliseconds between two readings (Linux counts /proc/stat in hundredths of a second).</summary>
    private static double BusyMs((long Idle, long Total) before, (long Idle, long Total) after) =>
        ((after.Total - before.Total) - (after.Idle - before.Idle)) * 10.0;

    private static async Task<Run> DriveAsync(string subject, string workload, int concurrency, Func<long, Task> command, Process? process, Action<long>? memory)
    {
        long next = 0, errors = 0;
        var latencies = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        var measuring = WarmUp;
        var end = WarmUp + Measure;
        var sampler = Task.Run(async () =>
        {
            while (clock.Elapsed < end && process is not null)
            {
                process.Refresh();
                memory?.Invoke(process.WorkingSet64);
                await Task.Delay(200);
            }
        });
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = [];
            while (clock.Elapsed < end)
            {
                var started = clock.Elapsed;
                try
                {
                    await command(Interlocked.Increment(ref next));
                    if (started >= measuring)
                    {
                        mine.Add((clock.Elapsed - started).TotalMilliseconds);
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or HttpRequestException or NpgsqlException or JasperFx.ConcurrencyException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        await sampler;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        var run = new Run(subject, workload, concurrency, all.Length / Measure.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.95), Percentile(all, 0.99), errors);
        Console.WriteLine($"{subject}, {workload}, c={concurrency}: {run.PerSecond:N0}/s, p50 {run.P50:N1} ms, p95 {run.P95:N1} ms, p99 {run.P99:N1} ms, {errors} errors");
        return run;
    }

    private static double Percentile(double[] sorted, double p) => BenchmarkDatabase.Percentile(sorted, p);

    /// <summary>pgbench with the transaction an append comes down to: bump the stream's version, insert the event row.</summary>
    private static async Task<Run> PgbenchAsync(LocalPostgresServer postgres, int concurrency)
    {
        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var setup = new NpgsqlCommand($"""
                drop table if exists pgb_events; drop table if exists pgb_streams;
                create table pgb_streams (id int primary key, version bigint not null);
                create table pgb_events (seq_id bigserial primary key, stream_id int not null, version bigint not null, type text not null,
                  data jsonb not null, timestamp timestamptz not null default now(), unique (stream_id, version));
                insert into pgb_streams select g, 0 from generate_series(1, {Priorities}) g;
                """, connection);
            await setup.ExecuteNonQueryAsync();
        }

        var script = Path.Combine(Path.GetTempPath(), $"learningsystem-pgbench-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, $"""
            \set s random(1, {Priorities})
            BEGIN;
            UPDATE pgb_streams SET version = version + 1 WHERE id = :s;
            INSERT INTO pgb_events (stream_id, version, type, data) SELECT :s, version, 'objection_raised', '{"{"}"reason":"Not knowing is worse"{"}"}' FROM pgb_streams WHERE id = :s;
            END;
            """);
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
            var before = MachineTicks();
            var (_, output) = await RunToolAsync(Path.Combine(PostgresBinaries.Find(), "pgbench"),
                ["-n", "-c", $"{concurrency}", "-j", $"{Math.Min(concurrency, Environment.ProcessorCount)}", "-T", $"{(int)Measure.TotalSeconds}",
                 "-f", script, "-h", "127.0.0.1", "-p", $"{builder.Port}", "-U", builder.Username!, builder.Database!]);
            var tps = double.Parse(Tps().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var average = double.Parse(AverageLatency().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var busy = BusyMs(before, MachineTicks()) / (tps * Measure.TotalSeconds);
            Console.WriteLine($"pgbench, c={concurrency}: {tps:N0} tps, average {average:N2} ms, {busy:N2} ms of machine CPU per transaction");
            return new Run("pgbench", "version bump and event row", concurrency, tps, average, double.NaN, double.NaN, 0) { MachineCpuMs = busy };
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>
    /// At half the peak rate of moves, how long after a 201 a read of the view shows the move. Every view is
    /// inline (updated in the command's transaction), so this is the time of the first read that sees it.
    /// </summary>
    private static async Task<double[]> LagAsync(HttpClient http, Guid[] priorities, Guid by, double rate)
    {
        using var stop = new CancellationTokenSource(Measure);
        var interval = TimeSpan.FromSeconds(8 / Math.Max(rate, 1));
        var load = Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var i = worker * 1_000_000L;
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await PostAsync(http, $"/api/priorities/{priorities[i++ % Priorities]}/objections", new { by, reason = "Background load" });
                }
                catch (InvalidOperationException)
                {
                }

                var left = interval - Stopwatch.GetElapsedTime(started);
                if (left > TimeSpan.Zero)
                {
                    await Task.Delay(left);
                }
            }
        })));
        var lags = new List<double>();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var priority = priorities[(i * 7) % Priorities];
            using var response = await http.PostAsJsonAsync($"/api/priorities/{priority}/objections", new { by, reason = $"Probe {i}" });
            if ((int)response.StatusCode != 201)
            {
                continue;
            }

            var created = await response.Content.ReadFromJsonAsync<JsonElement>();
            var (objection, version) = (created.GetProperty("id").GetGuid().ToString(), created.GetProperty("version").GetInt64());
            var answered = Stopwatch.GetTimestamp();
            // The objection's own document, the one the move wrote at its version.
            while (!(await http.GetStringAsync(new Uri($"/api/priorities/{priority}/objections?after={version - 1}&limit=1", UriKind.Relative))).Contains(objection, StringComparison.Ordinal))
            {
                await Task.Delay(5);
            }

            lags.Add(Stopwatch.GetElapsedTime(answered).TotalMilliseconds);
            await Task.Delay(50);
        }

        await load;
        return [.. lags.Order()];
    }

    /// <summary>
    /// Publishes the service as it is deployed (README, Deploying): Release, ReadyToRun for this machine's runtime,
    /// with the generated handler code. Answers the published assembly.
    /// </summary>
    private static async Task<string> PublishAsync(string root)
    {
        // One folder, replaced by every run, so runs leave no copies behind.
        var folder = Path.Combine(Path.GetTempPath(), "learningsystem-benchmark-service");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        var arguments = new[]
        {
            "publish", Path.Combine(root, "src", "LearningSystem"), "-c", "Release", "-r", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier,
            "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", folder,
        };
        Console.WriteLine($"dotnet {string.Join(' ', arguments)}");
        var (exitCode, output) = await RunToolAsync("dotnet", arguments);
        return exitCode == 0 ? Path.Combine(folder, "LearningSystem.dll") : throw new InvalidOperationException($"dotnet publish failed:\n{output}");
    }

    private static (Process Process, long Started) StartService(string dll, string connectionString, int port)
    {
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__LearningSystem"] = connectionString;
        start.Environment["PersonalData__MasterKeys__benchmark"] = MasterKey;
        start.Environment["PersonalData__ActiveMasterKey"] = "benchmark";
        start.Environment["Audit__CheckpointMinutes"] = "0";
        start.Environment["Clients__benchmark__KeyHash"] = ApiClientRegistry.Hash(Key);
        for (var i = 0; i < Scopes.All.Count; i++)
        {
            start.Environment[$"Clients__benchmark__Scopes__{i}"] = Scopes.All[i];
        }

        start.Environment["Clients__benchmark__Organisations__0"] = "*";
        start.Environment["Clients__benchmark__RequestsPerMinute"] = "100000000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var started = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException("The service did not start.");
        // The service logs warnings and errors only; they belong in the benchmark's output.
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) { Console.Error.WriteLine($"service: {line}"); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) { Console.Error.WriteLine($"service: {line}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, started);
    }

    /// <summary>
    /// From process start to the first 201 of registering a participant, trying every 20 ms; and, as a coarse
    /// profile, when the host first answered (/health/live) and how long a second endpoint's first call took.
    /// </summary>
    private static async Task<Start> FirstCreatedAsync(HttpClient http, long started)
    {
        var listening = TimeSpan.Zero;
        while (listening == TimeSpan.Zero && Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(2))
        {
            try
            {
                using var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
                listening = live.IsSuccessStatusCode ? Stopwatch.GetElapsedTime(started) : TimeSpan.Zero;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(20);
            }
        }

        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(2))
        {
            try
            {
                using var response = await http.PostAsJsonAsync("/api/participants", new { displayName = "First", stakeholderGroup = "patient", organisationRole = "Patient" });
                if ((int)response.StatusCode == 201)
                {
                    var created = Stopwatch.GetElapsedTime(started);
                    await PostAsync(http, "/api/patient-feedback", Feedback(0));
                    return new Start(created, listening, Stopwatch.GetElapsedTime(started) - created);
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("The service did not answer 201 within two minutes.");
    }

    private static async Task<string> SettingsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select current_setting('fsync'), current_setting('synchronous_commit'), version()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return $"fsync={reader.GetString(0)}, synchronous_commit={reader.GetString(1)}; {reader.GetString(2).Split(',')[0]}";
    }

    private static string FsyncRate(LocalPostgresServer postgres)
    {
        var file = Path.Combine(Path.GetTempPath(), $"learningsystem-fsync-{Guid.NewGuid():N}");
        try
        {
            var (_, output) = RunToolAsync(Path.Combine(PostgresBinaries.Find(), "pg_test_fsync"), ["-s", "2", "-f", file]).GetAwaiter().GetResult();
            return FdatasyncRate().Match(output) is { Success: true } m ? $"{m.Groups[1].Value} fdatasync/s (pg_test_fsync -s 2, one 8 kB write)" : "unknown";
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunToolAsync(string tool, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException($"{tool} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [GeneratedRegex(@"tps = ([\d.]+) \(without initial connection time\)")]
    private static partial Regex Tps();

    [GeneratedRegex(@"latency average = ([\d.]+) ms")]
    private static partial Regex AverageLatency();

    [GeneratedRegex(@"(?m)^\s+fdatasync\s+([\d.,]+) ops/sec")]
    private static partial Regex FdatasyncRate();
}
