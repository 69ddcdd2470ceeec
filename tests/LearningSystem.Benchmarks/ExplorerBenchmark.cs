using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace LearningSystem.Benchmarks;

/// <summary>
/// How long each explorer page takes to answer (`-- explorer`): the service published and run as deployed, a
/// priority negotiated through 500 moves (endorsements, objections, amendments accepted and rejected) and decided,
/// in a round of ten priorities ranked by 100 respondents. Each page is asked for sequentially, as a person clicks,
/// after warm-up; the target is under 200 ms. Writes docs/benchmarks/explorer.md.
/// </summary>
public static partial class ServiceBenchmark
{
    private const int ExplorerWarmUp = 10;
    private const int ExplorerSamples = 50;

    public static async Task ExplorerAsync(string root)
    {
        await using var postgres = await StartPostgresAsync(explain: true);
        var dll = await PublishAsync(root);
        var port = LearningSystem.LocalPostgres.LocalPostgresServer.FreePort();
        var http = ServiceClient(port);
        var (process, started) = StartService(dll, postgres.ConnectionString, port);
        try
        {
            await FirstCreatedAsync(http, started);
            var groups = new[] { "patient", "carer", "nurse", "clinician", "student", "manager" };
            var people = new Guid[260];
            for (var i = 0; i < people.Length; i++)
            {
                people[i] = await CreateAsync(http, "/api/participants", new { displayName = $"Person {i}", stakeholderGroup = groups[i % groups.Length] });
            }

            var round = await CreateAsync(http, "/api/rounds", new
            {
                question = "What should the clinic change first?", scope = "Outpatients", requiredGroups = groups[..5], invitedGroups = groups[5..], by = people[5],
            });
            var priorities = new Guid[10];
            for (var i = 0; i < priorities.Length; i++)
            {
                priorities[i] = await CreateAsync(http, "/api/priorities", new { statement = $"Priority {i}: shorter waits, clearer letters", rationale = "Hours of waiting", setBy = people[i], roundId = round });
            }

            // 500 moves on one priority.
            var contested = priorities[0];
            var moves = 0;
            for (var i = 0; i < 250; i++, moves++)
            {
                await PostAsync(http, $"/api/priorities/{contested}/endorsements", new { by = people[i + 10], comment = $"Endorsed for reason {i}" });
            }

            for (var i = 0; i < 150; i++, moves++)
            {
                await PostAsync(http, $"/api/priorities/{contested}/objections", new { by = people[i % 100 + 10], reason = $"Objection {i}: who will own this?" });
            }

            // Wording moves depend on the wording they change, so they name the version they saw.
            var version = (await http.GetFromJsonAsync<JsonElement>($"/api/priorities/{contested}")).GetProperty("version").GetInt64();
            for (var i = 0; i < 50; i++, moves += 2)
            {
                using var proposed = await http.PostAsJsonAsync($"/api/priorities/{contested}/amendments",
                    new { by = people[i + 20], wording = $"Shorter waits, clearer letters, wording {i}", reason = $"Clearer, take {i}", expectedVersion = version });
                var answer = await proposed.Content.ReadFromJsonAsync<JsonElement>();
                var amendment = answer.TryGetProperty("id", out var id) ? id.GetGuid() : throw new InvalidOperationException($"Amendment {i}: {(int)proposed.StatusCode} {answer}");
                using var answered = await http.PostAsJsonAsync($"/api/priorities/{contested}/amendments/{amendment}/{(i % 2 == 0 ? "acceptance" : "rejection")}",
                    new { by = people[i + 21], reason = "Considered", expectedVersion = answer.GetProperty("version").GetInt64() });
                version = (await answered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64();
            }

            await PostAsync(http, $"/api/priorities/{contested}/decision", new { by = people[5], outcome = "agreed", rationale = "Agreed after a long negotiation.", decisionMakers = people[..6], expectedVersion = version });
            for (var i = 0; i < 100; i++)
            {
                await PostAsync(http, $"/api/rounds/{round}/interim-rankings", new { by = people[i + 100], ranking = priorities.Skip(i % 10).Concat(priorities.Take(i % 10)).ToArray() });
            }

            var decision = (await http.GetFromJsonAsync<JsonElement>($"/api/priorities/{contested}")).GetProperty("decision").GetProperty("id").GetGuid();
            var cookie = await SignInAsync(port);
            var pages = new (string Page, string Path)[]
            {
                ("organisation", "/explore"),
                ("priority, 501 moves, as it stands", $"/explore/priorities/{contested}"),
                ("priority as of version 250", $"/explore/priorities/{contested}?version=250"),
                ("decision provenance graph", $"/explore/decisions/{decision}"),
                ("round, 100 respondents", $"/explore/rounds/{round}"),
                ("learning loop", $"/explore/lineage/{contested}"),
                ("audit (checkpoints)", "/explore/audit"),
                ("audit, verify now (whole organisation)", "/explore/audit?verify=now"),
            };
            using var browser = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var rows = await TimePagesAsync(browser, cookie, pages);
            var (region, seeded) = await SeedRegionAsync(http, people);
            var regionRows = await TimePagesAsync(browser, cookie, region);
            var plans = await PlansAsync(postgres.ConnectionString, postgres.LogFile, browser, cookie, region);

            var report = BenchmarkDatabase.Heading("explorer pages", "explorer");
            report.AppendLine("The service is published and run as deployed, on its own PostgreSQL. One priority is negotiated through");
            report.AppendLine(CultureInfo.InvariantCulture, $"{moves} moves (250 endorsements, 150 objections, 50 amendments with 25 accepted and 25 rejected) and decided, in a round");
            report.AppendLine("of ten priorities that 100 respondents ranked. A browser session (signed in through the sign-in form) asks for each page");
            report.AppendLine(CultureInfo.InvariantCulture, $"{ExplorerSamples} times in turn after {ExplorerWarmUp} untimed requests; times are from request to the last byte of the HTML.");
            report.AppendLine();
            report.AppendLine("| page | median ms | p95 ms | max ms | page size | p95 under 200 ms |");
            report.AppendLine("| --- | --- | --- | --- | --- | --- |");
            rows.ForEach(r => report.AppendLine(r));
            report.AppendLine();
            report.AppendLine("\"Verify now\" recomputes every link of the organisation's chain and every checkpoint's root, so its time grows with the");
            report.AppendLine("organisation's history, as `GET /api/audit/verify` does; the other pages read views and one stream.");
            report.AppendLine();
            report.AppendLine("## Finding at a region's size");
            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"Then {seeded}, each through the API, 16 at a time. Each list, search and participant or group page is asked for");
            report.AppendLine(CultureInfo.InvariantCulture, $"{ExplorerSamples} times in turn after {ExplorerWarmUp} untimed requests, as above. Lists show 50 items a page; a participant's page 100 acts, a group's acts page 50, its page 100 participants.");
            report.AppendLine();
            report.AppendLine("| page | median ms | p95 ms | max ms | page size | p95 under 200 ms |");
            report.AppendLine("| --- | --- | --- | --- | --- | --- |");
            regionRows.ForEach(r => report.AppendLine(r));
            report.AppendLine();
            report.AppendLine("Each page was then asked for once with PostgreSQL's auto_explain logging every statement's plan. A page whose plan reads a");
            report.AppendLine("priority, feedback, decision or participant table, or the events, in full (a sequential scan) shows that plan below.");
            report.AppendLine();
            report.Append(plans);
            var file = Path.Combine(root, "docs", "benchmarks", "explorer.md");
            await File.WriteAllTextAsync(file, report.ToString());
            Console.WriteLine($"Wrote {file}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<List<string>> TimePagesAsync(HttpClient browser, string cookie, IReadOnlyList<(string Page, string Path)> pages)
    {
        var rows = new List<string>();
        foreach (var (page, path) in pages)
        {
            var times = new List<double>();
            long bytes = 0;
            for (var i = 0; i < ExplorerWarmUp + ExplorerSamples; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Cookie", cookie } } };
                var watch = Stopwatch.StartNew();
                using var response = await browser.SendAsync(request);
                var body = await response.Content.ReadAsByteArrayAsync();
                watch.Stop();
                if ((int)response.StatusCode != 200)
                {
                    throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}.");
                }

                if (i >= ExplorerWarmUp)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                    bytes = body.Length;
                }
            }

            times.Sort();
            double At(double q) => BenchmarkDatabase.Percentile(times, q);
            var p95 = At(0.95);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {page} | {At(0.5):F1} | {p95:F1} | {times[^1]:F1} | {bytes / 1024.0:F0} KiB | {(p95 < 200 ? "yes" : "**no**")} |"));
            Console.WriteLine(rows[^1]);
        }

        return rows;
    }

    /// <summary>Signs in as a browser does: the form's antiforgery cookie and field, then the session cookie it answers with.</summary>
    private static async Task<string> SignInAsync(int port)
    {
        using var browser = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var form = await browser.GetAsync(new Uri("/explore/sign-in", UriKind.Relative));
        var formCookie = form.Headers.GetValues("Set-Cookie").First().Split(';')[0];
        var token = formCookie[(formCookie.IndexOf('=', StringComparison.Ordinal) + 1)..];
        using var post = new HttpRequestMessage(HttpMethod.Post, "/explore/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["antiforgery"] = token, ["key"] = Key, ["organisation"] = "local" }),
            Headers = { { "Cookie", formCookie } },
        };
        using var signedIn = await browser.SendAsync(post);
        return signedIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.Contains("learningsystem-explorer=", StringComparison.Ordinal));
    }
}
