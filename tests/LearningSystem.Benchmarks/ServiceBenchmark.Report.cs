using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace LearningSystem.Benchmarks;

/// <summary>Report writing: the figures as docs/benchmarks.md shows them.</summary>
public static partial class ServiceBenchmark
{
    private static string Report(
        string settings, string fsync, List<Run> runs, Starts starts, long peakMemory, double[] lag, double peakMoves, string phases, (string Text, double CpuRatio, double ServiceMs) profile, string otherTargets)
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
        text.AppendLine("- The service runs as its own process, published as it is deployed (`src/LearningSystem`, Release, ReadyToRun; docs/deploying.md) and started as `dotnet LearningSystem.dll` with Warning logging, on the same PostgreSQL, signed in with an API key.");
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
        var p99Ratios = runs.Where(r => r is { Subject: "HTTP", Concurrency: 8 })
            .Select(h => (h.Workload, Ratio: h.P99 / runs.Single(m => m.Subject == "raw Marten" && m.Workload == h.Workload && m.Concurrency == 8).P99)).ToArray();
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
        text.AppendLine(CultureInfo.InvariantCulture, $"| issue 38: the service's CPU per move at concurrency 32 ≤ 0.4 ms (below) | {profile.ServiceMs:N2} ms | {Met(profile.ServiceMs <= 0.4)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| issue 38: the machine's CPU per move at concurrency 32 ≤ 2.5 × a pgbench transaction's (below) | {profile.CpuRatio:N1} × | {Met(profile.CpuRatio <= 2.5)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| issue 38: p99 at concurrency 8 ≤ 1.2 × raw Marten's in this run (each workload: {string.Join(", ", p99Ratios.Select(r => $"{r.Workload} {r.Ratio:N2} ×"))}) | {p99Ratios.Max(r => r.Ratio):N2} × | {Met(p99Ratios.All(r => r.Ratio <= 1.2))} |");
        text.AppendLine();
        text.Append(otherTargets);
        text.AppendLine();
        text.AppendLine("## Where a move's time goes");
        text.AppendLine();
        text.AppendLine(profile.Text);
        text.AppendLine(CultureInfo.InvariantCulture, $"In raw Marten at concurrency 32 ({Measure.TotalSeconds:N0} s), an objection spends {phases}.");
        text.AppendLine();
        text.AppendLine("CPU per command above PostgreSQL in each measured run: the service's process over HTTP, and the benchmark's own process for raw Marten, which then runs nothing else.");
        text.AppendLine("Raw Marten's figure is what Marten's session alone spends on the command (with Npgsql, serialisation and the runtime under it), so it is a floor for any service that writes through that session.");
        text.AppendLine();
        text.AppendLine("| concurrency | feedback: the service | feedback: raw Marten (no sealing) | objection: the service | objection: raw Marten |");
        text.AppendLine("| ---: | ---: | ---: | ---: | ---: |");
        foreach (var c in Concurrencies)
        {
            double Cpu(string subject, string workload) => runs.Single(r => r.Subject == subject && r.Workload == workload && r.Concurrency == c).ProcessCpuMs;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {c} | {N(Cpu("HTTP", "record patient feedback"), "N3")} ms | {N(Cpu("raw Marten", "record patient feedback"), "N3")} ms | {N(Cpu("HTTP", "objection on a priority"), "N3")} ms | {N(Cpu("raw Marten", "objection on a priority"), "N3")} ms |");
        }

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
        text.AppendLine("| Each explorer page for a priority negotiated through 500 moves and decided, in a round of 100 respondents; then every list, search, participant and stakeholder-group page in a region of 10,000 priorities in 500 rounds and 200,000 feedback records, with the plan of any page that scans a large table; each asked for in turn by a signed-in browser session (target: p95 under 200 ms) | `dotnet run -c Release --project tests/LearningSystem.Benchmarks -- explorer` | [explorer.md](benchmarks/explorer.md) |");
        text.AppendLine("| Where the service's CPU goes per move: the published build 3 s and 60 s after start, with the shipped logging, without tiered PGO and with workstation GC, then a perf profile named by layer | `dotnet run -c Release --project tests/LearningSystem.Benchmarks -- service-cpu` | [service-cpu.md](benchmarks/service-cpu.md) |");
        text.AppendLine("| Issue 38's experiments in PostgreSQL alone, with pgbench on a durable cluster: the previous link read index-only, and sealing's key assertion as a foreign key from a \"sealed under\" row against the advisory lock, each against the same bare append | `dotnet run -c Release --project tests/LearningSystem.Benchmarks -- postgres-experiments` | [postgres-experiments.md](benchmarks/postgres-experiments.md) |");
        return text.ToString();
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
}
