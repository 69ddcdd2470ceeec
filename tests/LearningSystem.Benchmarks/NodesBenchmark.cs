using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace LearningSystem.Benchmarks;

/// <summary>
/// One, two and three service processes on one PostgreSQL (`-- nodes`), objections and recorded feedback sent
/// round-robin over the nodes at concurrency 32, as a load balancer spreads them. On a 2-core machine the nodes,
/// PostgreSQL and the load generator share the cores, so absolute throughput cannot grow; the figures show what
/// each added node costs. Writes docs/benchmarks/nodes.md.
/// </summary>
public static partial class ServiceBenchmark
{
    private const int NodesConcurrency = 32;
    private const int NodesPriorities = 500;
    private const int NodePool = 25;

    public static async Task NodesAsync(string root)
    {
        await using var postgres = await StartPostgresAsync();
        var dll = await PublishAsync(root);
        var nodes = new List<(Process Process, HttpClient Http)>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var port = LearningSystem.LocalPostgres.LocalPostgresServer.FreePort();
                var http = ServiceClient(port);
                // Three pools of 100 would pass PostgreSQL's 100 connections (docs/deploying.md): 25 each.
                var pooled = new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString) { MaxPoolSize = NodePool }.ConnectionString;
                var (process, started) = StartService(dll, pooled, port);
                await FirstCreatedAsync(http, started);
                nodes.Add((process, http));
            }

            var jenny = await CreateAsync(nodes[0].Http, "/api/participants", new { displayName = "Jenny", stakeholderGroup = "student", organisationRole = "Student" });
            var priorities = new Guid[NodesPriorities];
            for (var i = 0; i < priorities.Length; i++)
            {
                priorities[i] = await CreateAsync(nodes[i % 3].Http, "/api/priorities", new { statement = $"Shorter waits {i}", rationale = "Hours of waiting", setBy = jenny });
            }

            var rows = new List<string>();
            foreach (var count in new[] { 1, 2, 3 })
            {
                foreach (var (workload, command) in new (string, Func<HttpClient, long, Task>)[]
                         {
                             ("objection on a priority", (http, i) => PostAsync(http, $"/api/priorities/{priorities[i % NodesPriorities]}/objections", new { by = jenny, reason = "Not knowing is worse" })),
                             ("record patient feedback (sealed)", (http, i) => PostAsync(http, "/api/patient-feedback", Feedback(i))),
                         })
                {
                    var (before, postgresBefore) = (MachineTicks(), PostgresCpu());
                    var watch = Stopwatch.StartNew();
                    var run = await DriveAsync($"{count} node{(count == 1 ? "" : "s")}", workload, NodesConcurrency, i => command(nodes[(int)(i % count)].Http, i), null, null);
                    var (after, postgresAfter) = (MachineTicks(), PostgresCpu());
                    var seconds = watch.Elapsed.TotalSeconds;
                    // Warm-up and measured commands alike used the CPU; the measured rate stands for the whole run.
                    var commands = run.PerSecond * seconds;
                    var idle = 1 - BusyMs(before, after) / ((after.Total - before.Total) * 10.0);
                    rows.Add(string.Create(CultureInfo.InvariantCulture,
                        $"| {count} | {workload} | {run.PerSecond:N0} | {run.P50:N1} / {run.P95:N1} / {run.P99:N1} | {BusyMs(before, after) / commands:N2} ms | {(postgresAfter - postgresBefore).TotalMilliseconds / commands:N2} ms | {idle:P0} | {run.Errors} |"));
                }
            }

            var text = new StringBuilder();
            text.AppendLine("# Several nodes on one PostgreSQL");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project tests/LearningSystem.Benchmarks -- nodes`, on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}.");
            text.AppendLine(CultureInfo.InvariantCulture, $"Three service processes (Release, ReadyToRun) on one throwaway durable PostgreSQL; each node's pool holds at most {NodePool} connections; commands go round-robin over the first 1, 2 or 3 of them, as a load balancer spreads them, at concurrency {NodesConcurrency}, {WarmUp.TotalSeconds:N0} s of warm-up then {Measure.TotalSeconds:N0} s measured. Idle nodes stay up.");
            text.AppendLine();
            text.AppendLine("| nodes | workload | commands/s | p50 / p95 / p99 ms | machine CPU per command | PostgreSQL CPU per command | machine idle | errors |");
            text.AppendLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var row in rows)
            {
                text.AppendLine(row);
            }

            text.AppendLine();
            text.AppendLine("On two cores the nodes, PostgreSQL and the load generator share the same CPU, so throughput cannot grow with");
            text.AppendLine("nodes here; what the table shows is what a node costs. Coordination between nodes is PostgreSQL's own: the");
            text.AppendLine("stream row lock, the idempotency rows, the checkpoint's advisory lock, and the subject key looked up on every");
            text.AppendLine("seal (an indexed read of the subject's key rows per sealed command) instead of a per-node cache that could outlive");
            text.AppendLine("an erasure on another node. Nothing is broadcast between nodes.");
            Console.WriteLine(text);
            await File.WriteAllTextAsync(Path.Combine(root, "docs", "benchmarks", "nodes.md"), text.ToString());
        }
        finally
        {
            foreach (var (process, http) in nodes)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                http.Dispose();
            }
        }
    }
}
