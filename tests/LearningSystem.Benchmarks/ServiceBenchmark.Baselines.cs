using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using LearningSystem.LocalPostgres;
using Npgsql;

namespace LearningSystem.Benchmarks;

/// <summary>The baselines a move is compared with: a pgbench transaction and the disk's fdatasync rate.</summary>
public static partial class ServiceBenchmark
{
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

    [GeneratedRegex(@"tps = ([\d.]+) \(without initial connection time\)")]
    private static partial Regex Tps();

    [GeneratedRegex(@"latency average = ([\d.]+) ms")]
    private static partial Regex AverageLatency();

    [GeneratedRegex(@"(?m)^\s+fdatasync\s+([\d.,]+) ops/sec")]
    private static partial Regex FdatasyncRate();
}
