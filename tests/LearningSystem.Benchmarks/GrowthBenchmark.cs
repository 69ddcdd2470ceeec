using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;

namespace LearningSystem.Benchmarks;

/// <summary>
/// How a move's and a ranking's cost grow with history (`-- growth [moves] [respondents]`): one priority
/// endorsed by <c>moves</c> participants in turn, and one round ranked by <c>respondents</c> in turn, each at
/// concurrency 1 against the service run as a process; the median latency of the last 200 against the first
/// 200. Then 32 new respondents rank at the same moment. Writes docs/benchmarks/growth.md.
/// </summary>
public static partial class ServiceBenchmark
{
    private const int Window = 200;

    public static async Task GrowthAsync(string root, int moves, int respondents)
    {
        await using var postgres = await StartPostgresAsync();
        var port = FreePort();
        using var http = ServiceClient(port);
        var dll = await PublishAsync(root);
        var (service, started) = StartService(dll, postgres.ConnectionString, port);
        await FirstCreatedAsync(http, started);
        try
        {
            var manager = await CreateAsync(http, "/api/participants", new { displayName = "Ms Brown", stakeholderGroup = "manager" });
            var priority = await CreateAsync(http, "/api/priorities", new { statement = "Tell patients how long they will wait", rationale = "Not knowing", setBy = manager });
            var endorsements = await TimedAsync(moves, "endorsers", http, postgres.ConnectionString, async (person, _) =>
                await PostAsync(http, $"/api/priorities/{priority}/endorsements", new { by = person }));

            var round = await CreateAsync(http, "/api/rounds", new { question = "What first?", scope = "The clinic", requiredGroups = new[] { "patient" }, by = manager });
            var ranked = new Guid[10];
            for (var i = 0; i < ranked.Length; i++)
            {
                ranked[i] = await CreateAsync(http, "/api/priorities", new { statement = $"Priority {i}", rationale = "r", setBy = manager, roundId = round });
            }

            var rankings = await TimedAsync(respondents, "respondents", http, postgres.ConnectionString, async (person, i) =>
                await PostAsync(http, $"/api/rounds/{round}/interim-rankings", new { by = person, ranking = ranked.Skip(i % 10).Concat(ranked.Take(i % 10)).ToArray() }));

            // Closing day: 32 new respondents submit at the same moment.
            var late = new List<Guid>();
            for (var i = 0; i < 32; i++)
            {
                late.Add(await CreateAsync(http, "/api/participants", new { displayName = $"Late {i}", stakeholderGroup = "patient" }));
            }

            var statuses = await Task.WhenAll(late.Select(async person =>
            {
                using var response = await http.PostAsJsonAsync($"/api/rounds/{round}/interim-rankings", new { by = person, ranking = ranked });
                return (int)response.StatusCode;
            }));

            var report = GrowthReport(moves, endorsements, respondents, rankings, statuses);
            Console.WriteLine(report);
            await File.WriteAllTextAsync(Path.Combine(root, "docs", "benchmarks", "growth.md"), report);
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }
    }

    /// <summary>Registers <paramref name="count"/> patients, then times one act by each, in turn.</summary>
    private static async Task<double[]> TimedAsync(int count, string who, HttpClient http, string connectionString, Func<Guid, int, Task> act)
    {
        var people = new Guid[count];
        for (var i = 0; i < count; i++)
        {
            people[i] = await CreateAsync(http, "/api/participants", new { displayName = $"Patient {i}", stakeholderGroup = "patient" });
        }

        // Fresh statistics after the bulk of registrations, as autovacuum would give a while later, so the first
        // acts are not timed against plans made for nearly empty tables.
        await using (var connection = new Npgsql.NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var analyze = new Npgsql.NpgsqlCommand("analyze", connection);
            await analyze.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"{count} {who} registered");
        var latencies = new double[count];
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            await act(people[i], i);
            latencies[i] = watch.Elapsed.TotalMilliseconds;
        }

        return latencies;
    }

    private static double Median(IEnumerable<double> values) => Percentile([.. values.Order()], 50);

    private static string GrowthReport(int moves, double[] endorsements, int respondents, double[] rankings, int[] statuses)
    {
        // The first acts run slowly for a while whatever the history (seen at 400 acts, with and without the
        // stream lock, and after a pause and fresh statistics), so history is compared from act 201 on.
        string Row(string workload, double[] latencies, string target)
        {
            var (warming, first, last) = (Median(latencies.Take(Window)), Median(latencies.Skip(Window).Take(Window)), Median(latencies.TakeLast(Window)));
            return string.Create(CultureInfo.InvariantCulture,
                $"| {workload} | {warming:F1} ms | {first:F1} ms | {last:F1} ms | {last / first:F2}× | {target} |");
        }

        var text = new StringBuilder();
        text.AppendLine("# Growth: cost against history");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project tests/LearningSystem.Benchmarks -- growth {moves} {respondents}`, on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}.");
        text.AppendLine("The service runs as a process (Release, ReadyToRun) on a throwaway durable PostgreSQL; each act is sent at concurrency 1.");
        text.AppendLine();
        text.AppendLine("| workload | median, acts 1–200 (warming) | median, acts 201–400 | median, last 200 | last against 201–400 | target |");
        text.AppendLine("| --- | --- | --- | --- | --- | --- |");
        text.AppendLine(Row($"endorsements on one priority ({moves:N0})", endorsements, "at most 1.1×"));
        text.AppendLine(Row($"interim rankings in one round ({respondents:N0})", rankings, "at most 1.1×"));
        text.AppendLine();
        text.AppendLine("The first 200 acts run slowly whatever the history: the same happens at 400 acts, with and without the");
        text.AppendLine("stream lock, after fresh statistics and after a 30-second pause. Its cause is not found yet, so history is");
        text.AppendLine("compared from act 201 on, and the warming window is shown rather than hidden.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"32 respondents ranking at the same moment, after the {respondents:N0}: {statuses.Count(s => s == 201)} × 201, {statuses.Count(s => s == 409)} × 409, {statuses.Count(s => s is not (201 or 409))} other.");
        text.AppendLine();
        text.AppendLine("Rankings and moves without a version queue on their stream's lock in PostgreSQL, so concurrent respondents");
        text.AppendLine("get 201 rather than 409. The growth remains: each endorsement and each ranking still rewrites the priority's");
        text.AppendLine("or the round's inline document, which holds every endorser and every ranking (issue 19).");
        return text.ToString();
    }
}
