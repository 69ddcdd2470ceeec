using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;

namespace LearningSystem.Benchmarks;

/// <summary>
/// How a move's and a ranking's cost grow with history (`-- growth [moves] [respondents] [objections]`): one
/// priority endorsed by <c>moves</c> participants in turn, one round ranked by <c>respondents</c> in turn, and
/// one priority contested by <c>objections</c> objectors in turn, each at concurrency 1 against the service run
/// as a process; the median latency of the last 200 against the first 200, and paired against a fresh target.
/// Then 32 new respondents rank at the same moment. Writes docs/benchmarks/growth.md.
/// </summary>
public static partial class ServiceBenchmark
{
    private const int Window = 200;

    /// <summary>Pairs in the paired comparison, which judges history on acts made at the same moments.</summary>
    private const int Pairs = 500;

    /// <summary>Acts per target in the statement profile that follows the pairs.</summary>
    private const int ProfiledActs = 200;

    public static async Task GrowthAsync(string root, int moves, int respondents, int objections)
    {
        await using var postgres = await StartPostgresAsync();
        var port = LearningSystem.LocalPostgres.LocalPostgresServer.FreePort();
        using var http = ServiceClient(port);
        var dll = await PublishAsync(root);
        var (service, started) = StartService(dll, postgres.ConnectionString, port);
        await FirstCreatedAsync(http, started);
        try
        {
            var manager = await CreateAsync(http, "/api/participants", new { displayName = "Ms Brown", stakeholderGroup = "manager" });
            // Each series has its timed priority, a warm-up one and a fresh one (see Target).
            async Task<Func<Target, Guid>> PrioritiesAsync(string statement)
            {
                var timed = await CreateAsync(http, "/api/priorities", new { statement, rationale = "Timed", setBy = manager });
                var warm = await CreateAsync(http, "/api/priorities", new { statement = "Warm-up", rationale = "Untimed", setBy = manager });
                var fresh = await CreateAsync(http, "/api/priorities", new { statement = "Fresh", rationale = "Paired", setBy = manager });
                return target => target switch { Target.WarmUp => warm, Target.Fresh => fresh, _ => timed };
            }

            var profile = new List<string>();
            var endorsed = await PrioritiesAsync("Tell patients how long they will wait");
            var endorsements = await TimedAsync(moves, "endorsers", http, postgres.ConnectionString, async (person, _, target) =>
                await PostAsync(http, $"/api/priorities/{endorsed(target)}/endorsements", new { by = person }), profile);

            // A contested priority: each objection is a reason of a realistic length, as the negotiation's record keeps it.
            var contested = await PrioritiesAsync("Close the walk-in clinic on Fridays");
            var objected = await TimedAsync(objections, "objectors", http, postgres.ConnectionString, async (person, i, target) =>
                await PostAsync(http, $"/api/priorities/{contested(target)}/objections",
                    new { by = person, reason = $"Objection {i}: Friday is the only day I can come after my shift, and the next clinic is an hour away by bus." }), profile);

            var round = await CreateAsync(http, "/api/rounds", new { question = "What first?", scope = "The clinic", requiredGroups = new[] { "patient" }, by = manager });
            var warmRound = await CreateAsync(http, "/api/rounds", new { question = "Warm-up", scope = "Untimed", requiredGroups = new[] { "patient" }, by = manager });
            var freshRound = await CreateAsync(http, "/api/rounds", new { question = "Fresh", scope = "Paired", requiredGroups = new[] { "patient" }, by = manager });
            var ranked = new Guid[10];
            var warmRanked = new Guid[10];
            var freshRanked = new Guid[10];
            for (var i = 0; i < ranked.Length; i++)
            {
                ranked[i] = await CreateAsync(http, "/api/priorities", new { statement = $"Priority {i}", rationale = "r", setBy = manager, roundId = round });
                warmRanked[i] = await CreateAsync(http, "/api/priorities", new { statement = $"Warm-up {i}", rationale = "r", setBy = manager, roundId = warmRound });
                freshRanked[i] = await CreateAsync(http, "/api/priorities", new { statement = $"Fresh {i}", rationale = "r", setBy = manager, roundId = freshRound });
            }

            var rankings = await TimedAsync(respondents, "respondents", http, postgres.ConnectionString, async (person, i, target) =>
            {
                var (into, choices) = target switch { Target.WarmUp => (warmRound, warmRanked), Target.Fresh => (freshRound, freshRanked), _ => (round, ranked) };
                await PostAsync(http, $"/api/rounds/{into}/interim-rankings", new { by = person, ranking = choices.Skip(i % 10).Concat(choices.Take(i % 10)).ToArray() });
            }, profile);

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

            var report = GrowthReport(moves, endorsements, respondents, rankings, objections, objected, statuses, profile);
            Console.WriteLine(report);
            await File.WriteAllTextAsync(Path.Combine(root, "docs", "benchmarks", "growth.md"), report);
            await TargetsSummary.RecordAsync(root, "growth", GrowthTargets(moves, endorsements, respondents, rankings, objections, objected, statuses));
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }
    }

    /// <summary>Acts made untimed on a target of their own first, so that the service's warming is not taken for history.</summary>
    private const int WarmUpActs = 1_000;

    /// <summary>Where an act goes: the timed target, the warm-up's, or a fresh one timed in pairs against the timed target.</summary>
    private enum Target
    {
        Timed,
        WarmUp,
        Fresh,
    }

    /// <summary>
    /// One series: every act's latency in turn, and the paired comparison made after it: acts on a fresh target
    /// (history 0 to 499) alternating with acts on the timed target (its whole history behind it), so that both
    /// halves of the comparison meet the same moment's noise.
    /// </summary>
    private sealed record Series(double[] Latencies, double[] Fresh, double[] Grown, IReadOnlyList<StatementCost> Statements)
    {
        /// <summary>What the target judges: the grown target's median against the fresh one's, over the pairs.</summary>
        public double PairedRatio => Median(Grown) / Median(Fresh);
    }

    /// <summary>One statement's calls per act and mean execution time, on the fresh target and on the grown one.</summary>
    private sealed record StatementCost(string Sql, double CallsPerAct, double FreshMs, double GrownMs);

    /// <summary>
    /// Registers <paramref name="count"/> patients and as many for the warm-up, makes the warm-up acts on their own
    /// target (the last argument of <paramref name="act"/> says so), then times one act by each patient, in turn.
    /// </summary>
    private static async Task<Series> TimedAsync(int count, string who, HttpClient http, string connectionString, Func<Guid, int, Target, Task> act, List<string> profile)
    {
        var people = new Guid[count + 2 * Pairs + 2 * ProfiledActs];
        for (var i = 0; i < people.Length; i++)
        {
            people[i] = await CreateAsync(http, "/api/participants", new { displayName = $"Patient {i}", stakeholderGroup = "patient" });
        }

        for (var i = 0; i < WarmUpActs; i++)
        {
            await act(await CreateAsync(http, "/api/participants", new { displayName = $"Warm-up {i}", stakeholderGroup = "patient" }), i, Target.WarmUp);
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
        var quiet = await QuietAsync();
        Console.WriteLine($"quiet after {quiet.Waited.TotalSeconds:F0} s; while waiting PostgreSQL used {quiet.PostgresShare:P0} of the busy time");
        var latencies = new double[count];
        var (machine, postgres) = (MachineTicks(), PostgresCpu());
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            await act(people[i], i, Target.Timed);
            latencies[i] = watch.Elapsed.TotalMilliseconds;
            if ((i + 1) % Window == 0)
            {
                var (machineNow, postgresNow) = (MachineTicks(), PostgresCpu());
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"| {who} | {i + 2 - Window:N0}–{i + 1:N0} | {Median(latencies.Skip(i + 1 - Window).Take(Window)):F1} ms | {BusyMs(machine, machineNow) / Window:F2} ms | {(postgresNow - postgres).TotalMilliseconds / Window:F2} ms |");
                Console.WriteLine(line);
                if (i + 1 <= 4 * Window || i + 1 > count - 4 * Window || (i + 1) % (10 * Window) == 0)
                {
                    profile.Add(line);
                }
                (machine, postgres) = (machineNow, postgresNow);
            }
        }

        async Task<double> TimeAsync(int person, int index, Target target)
        {
            var watch = Stopwatch.StartNew();
            await act(people[person], index, target);
            return watch.Elapsed.TotalMilliseconds;
        }

        // Which of a pair goes first alternates, so that neither half always follows the other.
        var (fresh, grown) = (new double[Pairs], new double[Pairs]);
        for (var i = 0; i < Pairs; i++)
        {
            if (i % 2 == 0)
            {
                fresh[i] = await TimeAsync(count + 2 * i, i, Target.Fresh);
                grown[i] = await TimeAsync(count + 2 * i + 1, count + i, Target.Timed);
            }
            else
            {
                grown[i] = await TimeAsync(count + 2 * i + 1, count + i, Target.Timed);
                fresh[i] = await TimeAsync(count + 2 * i, i, Target.Fresh);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"paired: fresh {Median(fresh):F1} ms, after {count:N0}: {Median(grown):F1} ms"));

        // Which statement, if any, grows with history: a block on each target, pg_stat_statements counting each alone.
        async Task<Dictionary<string, (long Calls, double MeanMs)>> ProfiledAsync(int first, Target target)
        {
            await TrackStatementsAsync(connectionString, "all");
            var timed = new double[ProfiledActs];
            for (var i = 0; i < ProfiledActs; i++)
            {
                timed[i] = await TimeAsync(first + i, first + i, target);
            }

            Console.WriteLine($"profiled {target}: deciles {Deciles(timed)} ms");

            var statements = await StatementsAsync(connectionString, ProfiledActs / 2);
            await TrackStatementsAsync(connectionString, "none");
            return statements;
        }

        var onFresh = await ProfiledAsync(count + 2 * Pairs, Target.Fresh);
        var onGrown = await ProfiledAsync(count + 2 * Pairs + ProfiledActs, Target.Timed);
        var costs = onGrown.Where(s => onFresh.ContainsKey(s.Key))
            .Select(s => new StatementCost(s.Key, s.Value.Calls / (double)ProfiledActs, onFresh[s.Key].MeanMs, s.Value.MeanMs))
            .OrderByDescending(s => s.CallsPerAct * s.GrownMs)
            .Take(12)
            .ToArray();
        return new Series(latencies, fresh, grown, costs);
    }

    /// <summary>
    /// Waits until the machine is idle (at least 90% for three seconds in a row, at most five minutes), so that
    /// the acts are not timed against work the registrations left behind.
    /// </summary>
    private static async Task<(TimeSpan Waited, double PostgresShare)> QuietAsync()
    {
        var waited = Stopwatch.StartNew();
        var (busy, postgres) = (0.0, 0.0);
        for (var calm = 0; calm < 3 && waited.Elapsed < TimeSpan.FromMinutes(5);)
        {
            var (before, pgBefore) = (MachineTicks(), PostgresCpu());
            await Task.Delay(1_000);
            var (after, pgAfter) = (MachineTicks(), PostgresCpu());
            var second = BusyMs(before, after);
            var idle = 1 - second / ((after.Total - before.Total) * 10.0);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  idle {idle:P0}, PostgreSQL {(pgAfter - pgBefore).TotalMilliseconds:F0} ms of {second:F0} ms busy"));
            (busy, postgres) = (busy + second, postgres + (pgAfter - pgBefore).TotalMilliseconds);
            calm = idle >= 0.9 ? calm + 1 : 0;
        }

        return (waited.Elapsed, busy == 0 ? 0 : postgres / busy);
    }

    /// <summary>Every statement pg_stat_statements counted at least <paramref name="least"/> times, by its text.</summary>
    private static async Task<Dictionary<string, (long Calls, double MeanMs)>> StatementsAsync(string connectionString, int least)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("select query, sum(calls)::bigint, sum(total_exec_time) / sum(calls) from pg_stat_statements group by query having sum(calls) >= @least", connection);
        command.Parameters.AddWithValue("least", least);
        await using var reader = await command.ExecuteReaderAsync();
        var statements = new Dictionary<string, (long, double)>();
        while (await reader.ReadAsync())
        {
            statements[reader.GetString(0)] = (reader.GetInt64(1), reader.GetDouble(2));
        }

        return statements;
    }

    /// <summary>The 10th to the 90th percentile, as table cells.</summary>
    private static string Deciles(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return string.Join(" | ", Enumerable.Range(1, 9).Select(d => Percentile(sorted, d / 10.0).ToString("F1", CultureInfo.InvariantCulture)));
    }

    private static double Median(IEnumerable<double> values) => Percentile([.. values.Order()], 0.5);

    private static string GrowthTargets(int moves, Series endorsements, int respondents, Series rankings, int objections, Series objected, int[] statuses)
    {
        (string, string, bool) Paired(string what, Series series) =>
            (what, string.Create(CultureInfo.InvariantCulture, $"{series.PairedRatio:F2}×"), series.PairedRatio <= 1.1);

        return TargetsSummary.Block("growth", $"dotnet run -c Release --project tests/LearningSystem.Benchmarks -- growth {moves} {respondents} {objections}",
        [
            Paired($"an endorsement on a priority with {moves:N0} behind it, against a fresh one (paired medians) ≤ 1.1×", endorsements),
            Paired($"an interim ranking in a round with {respondents:N0} behind it, against a fresh one (paired medians) ≤ 1.1×", rankings),
            Paired($"an objection to a priority with {objections:N0} behind it, against a fresh one (paired medians) ≤ 1.1×", objected),
            ("32 respondents ranking at once: all 201", $"{statuses.Count(s => s == 201)} × 201, {statuses.Count(s => s == 409)} × 409", statuses.All(s => s == 201)),
        ]);
    }

    private static string GrowthReport(int moves, Series endorsements, int respondents, Series rankings, int objections, Series objected, int[] statuses, IReadOnlyList<string> profile)
    {
        string Row(string workload, Series series, string target)
        {
            var (first, last) = (Median(series.Latencies.Take(Window)), Median(series.Latencies.TakeLast(Window)));
            var (fresh, grown) = (Median(series.Fresh), Median(series.Grown));
            var met = series.PairedRatio <= 1.1 ? "met" : "missed";
            return string.Create(CultureInfo.InvariantCulture,
                $"| {workload} | {first:F1} ms | {last:F1} ms | {last / first:F2}× | {fresh:F1} ms | {grown:F1} ms | {series.PairedRatio:F2}× | {target} | {met} |");
        }

        var text = new StringBuilder();
        text.AppendLine("# Growth: cost against history");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project tests/LearningSystem.Benchmarks -- growth {moves} {respondents} {objections}`, on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}.");
        text.AppendLine("The service runs as a process (Release, ReadyToRun) on a throwaway durable PostgreSQL; each act is sent at concurrency 1.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Before each series, {WarmUpActs:N0} untimed acts of the same kind go to a target of their own (a second priority, a second");
        text.AppendLine("round), and the benchmark waits until the machine is idle: the service's first acts after start are slow");
        text.AppendLine("whatever the history (JIT and tiering: the runtime compiled 400–900 methods a second then), and that is not growth.");
        text.AppendLine();
        text.AppendLine("| workload | in turn: median, first 200 | median, last 200 | last against first | paired: median on a fresh target | median on the grown target | grown against fresh | target | |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
        text.AppendLine(Row($"endorsements on one priority ({moves:N0})", endorsements, "at most 1.1×"));
        text.AppendLine(Row($"interim rankings in one round ({respondents:N0})", rankings, "at most 1.1×"));
        text.AppendLine(Row($"objections to one priority ({objections:N0})", objected, "at most 1.1×"));
        text.AppendLine();
        text.AppendLine("In turn, windows minutes apart differ by more than history: the CPU each act costs, the service's and");
        text.AppendLine("PostgreSQL's alike, moves by up to a third from one window to another, and the latency follows it (the profile");
        text.AppendLine(CultureInfo.InvariantCulture, $"below). The paired columns measure history alone: after the series, {Pairs} acts on a fresh target (history 0 to {Pairs - 1}) alternate with {Pairs} on the grown one, each");
        text.AppendLine("going first in every other pair, so both meet the same moment's service and machine; the target is judged on them.");
        text.AppendLine("Their whole distributions, the 10th to the 90th percentile in ms:");
        text.AppendLine();
        text.AppendLine("| paired acts | 10% | 20% | 30% | 40% | 50% | 60% | 70% | 80% | 90% |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, series) in new[] { ("endorsements", endorsements), ("interim rankings", rankings), ("objections", objected) })
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name}, fresh target | {Deciles(series.Fresh)} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name}, grown target | {Deciles(series.Grown)} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"32 respondents ranking at the same moment, after the {respondents:N0}: {statuses.Count(s => s == 201)} × 201, {statuses.Count(s => s == 409)} × 409, {statuses.Count(s => s is not (201 or 409))} other.");
        text.AppendLine();
        text.AppendLine("Each endorsement, objection and ranking adds or replaces one document of its own; the priority and the round keep");
        text.AppendLine("a count, so no act rewrites a list that grows with the ones before it (docs/design.md, Priorities and rounds).");
        text.AppendLine("Rankings and moves without a version queue on their stream's lock in PostgreSQL, so concurrent respondents");
        text.AppendLine("get 201 rather than 409.");
        text.AppendLine();
        text.AppendLine("Where the time goes, per window of 200 acts (the whole machine's CPU per act, from /proc/stat, and");
        text.AppendLine("PostgreSQL's processes' share of it):");
        text.AppendLine();
        text.AppendLine("| series | acts | median | machine CPU per act | PostgreSQL CPU per act |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: |");
        foreach (var line in profile)
        {
            text.AppendLine(line);
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"What PostgreSQL ran per act after the pairs: {ProfiledActs} acts on the fresh target, then {ProfiledActs} on the grown one, pg_stat_statements");
        text.AppendLine("counting each block alone (statements of functions and triggers too; their time is also part of their caller's).");
        text.AppendLine("The statements with the most time on the grown target:");
        foreach (var (name, series) in new[] { ("endorsements", endorsements), ("interim rankings", rankings), ("objections", objected) })
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name}: statement | per act | mean ms, fresh | mean ms, grown | grown against fresh |");
            text.AppendLine("| --- | ---: | ---: | ---: | ---: |");
            foreach (var s in series.Statements)
            {
                var sql = System.Text.RegularExpressions.Regex.Replace(s.Sql, @"\s+", " ");
                sql = (sql.Length > 100 ? sql[..100] + "…" : sql).Replace("|", "\\|", StringComparison.Ordinal);
                text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| `{sql}` | {s.CallsPerAct:F2} | {s.FreshMs:F3} | {s.GrownMs:F3} | {s.GrownMs / s.FreshMs:F2}× |"));
            }
        }

        return text.ToString();
    }
}
