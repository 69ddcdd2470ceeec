using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LearningSystem.Negotiating;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using Marten;
using Npgsql;

namespace LearningSystem.Benchmarks;

/// <summary>CPU accounting per move: the service, PostgreSQL and the load generator from /proc, and PostgreSQL's statements.</summary>
public static partial class ServiceBenchmark
{
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

    /// <summary>
    /// A profile of objections over HTTP at concurrency 32, and what a move costs the machine against a pgbench
    /// transaction: the CPU time each move costs the service, PostgreSQL's processes and this load generator (read
    /// from /proc), and the statements PostgreSQL ran per move with their execution time (pg_stat_statements,
    /// tracking only during this run).
    /// </summary>
    private static async Task<(string Text, double CpuRatio, double ServiceMs)> ProfileMovesAsync(string connectionString, Process service, Run pgbench, Func<long, Task> move)
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
        return (text.ToString(), machineMs / pgbench.MachineCpuMs, serviceMs);
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
}
