using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace LearningSystem.Benchmarks;

/// <summary>
/// The finding pages at a region's size (part of `-- explorer`): 10,000 priorities in 500 rounds, negotiated
/// (endorsed, objected to, withdrawn, decided), 200,000 feedback records over ten services and a year, 100
/// service redesigns and 50 curriculum changes, all sent through the API. Each list, search and participant or
/// group page is then asked for as a person clicks; afterwards each is asked once more with PostgreSQL's
/// auto_explain on, and the plans of any page that scans a view or the events in full are written beside the report.
/// </summary>
public static partial class ServiceBenchmark
{
    private const int RegionPriorities = 10_000, RegionRounds = 500, RegionFeedback = 200_000, SeedConcurrency = 16;

    private static readonly string[] Services =
    [
        "Outpatient Diabetes Clinic", "Emergency Department", "Maternity", "Cardiology", "Orthopaedics",
        "Paediatrics", "Mental Health", "Radiology", "Oncology", "General Practice",
    ];

    private static readonly string[] Topics =
    [
        "shorter waits", "clearer letters", "kinder reception", "parking for carers", "text reminders", "interpreters on call",
        "quiet rooms", "evening clinics", "named nurse", "results by phone",
    ];

    private static async Task ParallelAsync(int count, Func<int, Task> work)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, SeedConcurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await work(i);
            }
        }));
    }

    private static async Task<(IReadOnlyList<(string Page, string Path)> Pages, string Seeded)> SeedRegionAsync(HttpClient http, Guid[] people)
    {
        var watch = Stopwatch.StartNew();
        var groups = new[] { "patient", "carer", "nurse", "clinician", "student", "manager" };
        var rounds = new Guid[RegionRounds];
        await ParallelAsync(rounds.Length, async i => rounds[i] = await CreateAsync(http, "/api/rounds", new
        {
            question = $"Round {i}: what should {Services[i % Services.Length]} change first?", scope = Services[i % Services.Length],
            requiredGroups = groups[..5], invitedGroups = groups[5..], by = people[5],
        }));
        var priorities = new Guid[RegionPriorities];
        await ParallelAsync(priorities.Length, async i => priorities[i] = await CreateAsync(http, "/api/priorities", new
        {
            statement = $"Priority {i}: {Topics[i % Topics.Length]} at {Services[i / Topics.Length % Services.Length]}",
            rationale = $"Raised in round {i % RegionRounds}", setBy = people[i % people.Length], roundId = rounds[i % RegionRounds],
        }));
        await ParallelAsync(priorities.Length, async i =>
        {
            if (i % 5 == 0)
            {
                await PostAsync(http, $"/api/priorities/{priorities[i]}/endorsements", new { by = people[(i + 1) % people.Length], comment = "Yes" });
            }

            if (i % 10 == 0)
            {
                await PostAsync(http, $"/api/priorities/{priorities[i]}/objections", new { by = people[(i + 2) % people.Length], reason = "Who will own this?" });
            }
            else if (i % 20 == 5)
            {
                await PostAsync(http, $"/api/priorities/{priorities[i]}/decision", new
                {
                    by = people[5], outcome = i % 40 == 5 ? "agreed" : "rejected", rationale = "Weighed in the round.", decisionMakers = people[..6], expectedVersion = 2,
                });
            }
            else if (i % 20 == 15)
            {
                await PostAsync(http, $"/api/priorities/{priorities[i]}/withdrawal", new { by = people[i % people.Length], reason = "Covered by another." });
            }
        });
        // A year of feedback, ending before today.
        var start = DateTimeOffset.UtcNow.Date.AddDays(-366);
        string[] ratings = ["veryGood", "good", "neitherGoodNorPoor", "poor", "veryPoor"];
        await ParallelAsync(RegionFeedback, i => PostAsync(http, "/api/patient-feedback", new
        {
            service = Services[i % Services.Length], source = "ward-survey-kiosk", receivedAt = new DateTimeOffset(start.AddMinutes(i * 2.6), TimeSpan.Zero), rating = ratings[i / Services.Length % ratings.Length],
            comment = $"Feedback {i}: {Topics[i % Topics.Length]} would help.", patientRef = $"kiosk-{i}", consent = new[] { "serviceImprovement" },
        }));
        await ParallelAsync(100, i => PostAsync(http, "/api/service-redesigns", new
        {
            title = $"Redesign {i}: {Topics[i % Topics.Length]}", problem = "Patients asked for it.", proposedChange = $"Offer {Topics[i % Topics.Length]}.",
            service = Services[i % Services.Length], proposedBy = people[i % people.Length], evidence = Array.Empty<Guid>(),
        }));
        await ParallelAsync(50, i => PostAsync(http, "/api/curriculum-changes", new
        {
            course = $"MBBS Year {i % 5 + 1}", module = "Clinical Communication", learningOutcome = $"Outcome {i}: explain {Topics[i % Topics.Length]}.",
            proposedChange = "Patient educators co-teach.", proposedBy = people[i % people.Length],
            coDesigners = new[] { new { participant = people[(i + 1) % people.Length], role = "patientEducator" } },
        }));
        var seeded = string.Create(CultureInfo.InvariantCulture,
            $"{RegionRounds:N0} rounds, {RegionPriorities:N0} priorities, their moves, {RegionFeedback:N0} feedback records, 100 redesigns and 50 curriculum changes sent in {watch.Elapsed.TotalMinutes:F1} minutes");
        Console.WriteLine(seeded);

        var busy = people[10];
        return (
        [
            ("priorities, newest first", "/explore/priorities"),
            ("priorities, decided, set by patients", "/explore/priorities?status=decided&setByGroup=patient"),
            ("priorities of one service (cited feedback and redesigns)", $"/explore/priorities?service={Uri.EscapeDataString(Services[1])}"),
            ("priorities, by their words", "/explore/priorities?q=interpreters"),
            ("priorities, by statement", "/explore/priorities?sort=statement"),
            ("priorities, most endorsed", "/explore/priorities?sort=-endorsements"),
            ("priorities, set in one week", $"/explore/priorities?from={DateTime.UtcNow.AddDays(-7):yyyy-MM-dd}&to={DateTime.UtcNow.AddDays(1):yyyy-MM-dd}"),
            ("decisions, newest first", "/explore/decisions"),
            ("decisions, agreed", "/explore/decisions?outcome=agreed"),
            ("rounds, open", "/explore/rounds?state=open"),
            ("service redesigns, open", "/explore/service-redesigns?state=open"),
            ("curriculum changes", "/explore/curriculum-changes"),
            ("patient feedback, newest first, with comments", "/explore/patient-feedback"),
            ("patient feedback, one service rated poor", $"/explore/patient-feedback?service={Uri.EscapeDataString(Services[3])}&rating=poor"),
            ("patient feedback, one week", $"/explore/patient-feedback?from={start.AddDays(180):yyyy-MM-dd}&to={start.AddDays(187):yyyy-MM-dd}"),
            ("patient feedback, by rating", "/explore/patient-feedback?sort=rating"),
            ("search, a common word", "/explore/search?q=waits"),
            ("search, a phrase", "/explore/search?q=%22evening%20clinics%22"),
            ("search, a rare word", "/explore/search?q=interpreters%20-parking"),
            ("participant, every act", $"/explore/participants/{busy}"),
            ("stakeholder group, across every round", "/explore/stakeholder-groups/patient"),
            ("stakeholder group, its acts", "/explore/stakeholder-groups/patient/acts"),
            ("two rounds compared", $"/explore/rounds/{rounds[0]}/comparison?with={rounds[1]}"),
        ], seeded);
    }

    /// <summary>Each page once more with every statement's plan logged; answers the pages whose plans scan a large table in full, with those plans.</summary>
    private static async Task<string> PlansAsync(string connectionString, string logFile, HttpClient browser, string cookie, IReadOnlyList<(string Page, string Path)> pages)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        async Task SetAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        var logged = new List<(string Page, string Path, long From, long To)>();
        await SetAsync("alter system set auto_explain.log_min_duration = 0");
        await SetAsync("select pg_reload_conf()");
        await Task.Delay(500);
        foreach (var (page, path) in pages)
        {
            var from = new FileInfo(logFile).Length;
            using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Cookie", cookie } } };
            using var response = await browser.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            await Task.Delay(200);
            logged.Add((page, path, from, new FileInfo(logFile).Length));
        }

        await SetAsync("alter system reset auto_explain.log_min_duration");
        await SetAsync("select pg_reload_conf()");

        var text = new StringBuilder();
        await using var log = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        foreach (var (page, path, from, to) in logged)
        {
            log.Seek(from, SeekOrigin.Begin);
            var buffer = new byte[to - from];
            await log.ReadExactlyAsync(buffer);
            var plans = Encoding.UTF8.GetString(buffer).Split("LOG:  duration:").Skip(1).Select(p => "duration:" + p.Trim()).ToArray();
            var scanning = plans.Where(p => System.Text.RegularExpressions.Regex.IsMatch(p, @"Seq Scan on (mt_doc_(priority|patientfeedback|decisionentry|participant)|mt_events)\b")).ToArray();
            static double Took(string plan) => double.Parse(plan["duration:".Length..plan.IndexOf(" ms", StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            var slowest = plans.OrderByDescending(Took).FirstOrDefault();
            text.AppendLine(CultureInfo.InvariantCulture, $"### {page}");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"`{path}`: {plans.Length} statements, {plans.Sum(Took):F1} ms in PostgreSQL{(slowest is null ? "" : $", the slowest {Took(slowest):F1} ms")}; {(scanning.Length == 0 ? "none scans a large table in full." : $"{scanning.Length} scan a large table in full:")}");
            text.AppendLine();
            // A page that spends long in PostgreSQL shows its slowest plan, scan or not.
            if (slowest is not null && Took(slowest) > 50 && !scanning.Contains(slowest))
            {
                scanning = [.. scanning, slowest];
            }

            foreach (var plan in scanning)
            {
                text.AppendLine("```text");
                text.AppendLine(plan);
                text.AppendLine("```");
                text.AppendLine();
            }
        }

        return text.ToString();
    }
}
