using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace LearningSystem.Tests.Explorer;

/// <summary>
/// Analysts and auditors in a real browser: they sign in with a key, open each page of Jenny's story, and see what
/// the API would show their client, drawn and accessible, with nothing run that the service did not send.
/// </summary>
[Collection(ServiceProcess.Collection)]
public sealed partial class ExploringNegotiations(ExplorerInABrowser explorer) : IClassFixture<ExplorerInABrowser>
{
    private async Task<JsonElement> ApiAsync(string path) => await explorer.Service.Client.GetFromJsonAsync<JsonElement>(path);

    [Fact]
    public async Task Signing_in_keeps_the_key_from_scripts_and_signing_out_ends_the_session_everywhere()
    {
        var (context, page) = await explorer.SignInAsync();
        await using var _ = context;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Organisation st-marys", Level = 1 })).ToBeVisibleAsync();
        await ExplorerInABrowser.ScreenshotAsync(page, "organisation");

        var cookie = (await context.CookiesAsync()).Single(c => c.Name.StartsWith("__Host-learningsystem-explorer", StringComparison.Ordinal));
        Assert.True(cookie.HttpOnly);
        Assert.True(cookie.Secure);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(ExplorerInABrowser.Key, cookie.Value, StringComparison.Ordinal);
        Assert.Equal("", await page.EvaluateAsync<string>("() => document.cookie"));

        // The session cookie reads the API, as the page's download links need, and never sends a command.
        var request = context.APIRequest;
        Assert.Equal(200, (await request.GetAsync(explorer.Url($"/api/priorities/{explorer.Story.AgreedPriority}"))).Status);
        Assert.Equal(401, (await request.PostAsync(explorer.Url("/api/participants"), new() { DataObject = new { displayName = "X", stakeholderGroup = "patient" } })).Status);

        // A sign-out that did not come from the page's own form is refused.
        Assert.Equal(400, (await request.PostAsync(explorer.Url("/explore/sign-out"), new() { Form = context.APIRequest.CreateFormData().Set("antiforgery", "forged") })).Status);

        await explorer.SignOutAsync(page);
        // The old cookie, replayed, is no longer a session on any node: the session was deleted from the database.
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = explorer.Service.Client.BaseAddress };
        using var replay = new HttpRequestMessage(HttpMethod.Get, "/explore") { Headers = { { "Cookie", $"{cookie.Name}={cookie.Value}" } } };
        var again = await http.SendAsync(replay);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, again.StatusCode);
        Assert.StartsWith("/explore/sign-in", again.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_link_reachable_from_the_organisation_page_leads_somewhere()
    {
        var (context, page) = await explorer.SignInAsync();
        await using var _ = context;
        var root = explorer.Url("/");
        var queue = new Queue<(string Url, string From)>([(explorer.Url("/explore"), "signing in")]);
        var seen = new HashSet<string>(StringComparer.Ordinal) { explorer.Url("/explore") };
        var broken = new List<string>();
        var pages = 0;
        var files = 0;
        while (queue.TryDequeue(out var next) && pages + files < 1_000)
        {
            var (url, from) = next;
            var path = new Uri(url).AbsolutePath;
            if (!path.StartsWith("/explore", StringComparison.Ordinal) || path.EndsWith(".css", StringComparison.Ordinal))
            {
                // A download or the API: fetched with the page's own session, as its link would.
                files++;
                var fetched = await context.APIRequest.GetAsync(url);
                if (fetched.Status >= 400 || fetched.Status == 204)
                {
                    broken.Add($"{url} (linked from {from}): {fetched.Status}");
                }

                continue;
            }

            pages++;
            var answer = await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.DOMContentLoaded });
            if (answer is null || answer.Status >= 400)
            {
                broken.Add($"{url} (linked from {from}): {answer?.Status}");
                continue;
            }

            // Links in the drawings are SVG anchors too, whose href is not a string: resolved from the attribute.
            foreach (var href in await page.Locator("a[href]").EvaluateAllAsync<string[]>("links => links.map(a => new URL(a.getAttribute('href'), document.baseURI).href)"))
            {
                var target = href.Split('#')[0];
                if (target.StartsWith(root, StringComparison.Ordinal) && seen.Add(target))
                {
                    queue.Enqueue((target, url));
                }
            }
        }

        Assert.True(pages > 30, $"only {pages} pages were reached");
        // Every list and every participant's page is reached by following links from the organisation page.
        var participants = (await ApiAsync("/api/participants?limit=1000")).EnumerateArray().Select(p => p.GetProperty("id").GetGuid()).ToArray();
        Assert.All(["priorities", "decisions", "rounds", "service-redesigns", "curriculum-changes", "patient-feedback"],
            list => Assert.Contains(explorer.Url($"/explore/{list}"), seen));
        Assert.All(participants, id => Assert.Contains(explorer.Url($"/explore/participants/{id}"), seen));
        Assert.True(broken.Count == 0, $"{broken.Count} of {pages} pages and {files} files are broken:\n{string.Join("\n", broken)}");
    }

    [Fact]
    public async Task A_wrong_key_is_refused_with_a_message_and_no_cookie()
    {
        var context = await explorer.Browser.NewContextAsync();
        await using var _ = context;
        var page = await context.NewPageAsync();
        await page.GotoAsync(explorer.Url("/explore/sign-in"));
        await page.GetByLabel("API key").FillAsync("not-a-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That key is not known.");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name.Contains("learningsystem-explorer", StringComparison.Ordinal) && !c.Name.EndsWith("-form", StringComparison.Ordinal));
    }

    [Fact]
    public async Task People_sign_in_through_the_identity_provider_with_the_scopes_and_organisations_it_grants()
    {
        explorer.Provider.NextPerson = new IdentityProvider.Person("ada@st-marys", "read audit:read", "st-marys");
        var context = await explorer.Browser.NewContextAsync();
        await using var _ = context;
        var page = await context.NewPageAsync();
        await page.GotoAsync(explorer.Url($"/explore/priorities/{explorer.FeedbackPriority}"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with your identity provider" }).ClickAsync();

        // Back where the person was going, signed in as the provider named them, with its scopes: no feedback text.
        // The address, then the page's content, as SignInAsync waits: a load event timed out under a full suite's load.
        await ExplorerInABrowser.ArriveAsync(page, explorer.Url($"/explore/priorities/{explorer.FeedbackPriority}"));
        await Expect(page.Locator("header")).ToContainTextAsync("Signed in as ada@st-marys");
        await Expect(page.Locator("#feedback-withheld")).ToBeVisibleAsync();
        await page.GotoAsync(explorer.Url($"/explore/decisions/{await DecisionOfAsync()}"));
        await Expect(page.Locator("#verdict")).ToContainTextAsync("Intact");
        await ExplorerInABrowser.ScreenshotAsync(page, "decision-signed-in-with-provider");

        await explorer.SignOutAsync(page);
        await page.GotoAsync(explorer.Url("/explore"));
        Assert.StartsWith(explorer.Url("/explore/sign-in"), page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_identity_provider_cannot_widen_what_a_person_may_see()
    {
        var context = await explorer.Browser.NewContextAsync();
        await using var _ = context;
        var page = await context.NewPageAsync();

        explorer.Provider.NextPerson = new IdentityProvider.Person("tom@elsewhere", "read", "elsewhere");
        await page.GotoAsync(explorer.Url("/explore/sign-in"));
        await page.Locator("#provider-organisation").FillAsync("st-marys");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with your identity provider" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("no organisation you may use here");

        explorer.Provider.NextPerson = new IdentityProvider.Person("tom@st-marys", "feedback:read", "st-marys");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with your identity provider" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("'read' scope");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "__Host-learningsystem-explorer");
    }

    [Fact]
    public async Task The_timeline_lists_every_move_in_order_with_who_and_their_group()
    {
        var (context, page) = await explorer.SignInAsync();
        await using var _ = context;
        var priority = explorer.Story.AgreedPriority;
        await page.GotoAsync(explorer.Url($"/explore/priorities/{priority}"));
        await ExplorerInABrowser.ScreenshotAsync(page, "priority");

        var events = (await ApiAsync($"/api/streams/{priority}/events?limit=1000")).EnumerateArray().ToArray();
        var shown = await page.Locator("ol.timeline > li").EvaluateAllAsync<long[]>("items => items.map(i => Number(i.dataset.version))");
        Assert.Equal(events.Select(e => e.GetProperty("version").GetInt64()), shown);
        await Expect(page.Locator("ol.timeline > li").First).ToContainTextAsync("set by Jenny");
        await Expect(page.Locator("ol.timeline > li").First).ToContainTextAsync("student");
        await Expect(page.Locator("ol.timeline")).ToContainTextAsync("amendmentAccepted");

        // Each wording, the second marked against the first.
        await Expect(page.Locator("#wordings + p + ol > li")).ToHaveCountAsync(2);
        await Expect(page.Locator("#wordings + p + ol > li").Nth(1).Locator("ins").First).ToBeVisibleAsync();
        await Expect(page.Locator("table")).ToContainTextAsync("Telling is not enough");

        // Stepping back a version shows the priority as it stood: one move fewer.
        await page.GetByRole(AriaRole.Link, new() { Name = "Previous" }).ClickAsync();
        await Expect(page.Locator("ol.timeline > li")).ToHaveCountAsync(events.Length - 1);
        await Expect(page.Locator(".meta").First).ToContainTextAsync($"version {events.Length - 1} of {events.Length}");
    }

    [Fact]
    public async Task Everything_reads_with_JavaScript_turned_off()
    {
        var (context, page) = await explorer.SignInAsync(javaScript: false);
        await using var _ = context;
        await page.GotoAsync(explorer.Url($"/explore/priorities/{explorer.Story.AgreedPriority}"));
        await Expect(page.Locator("ol.timeline > li").First).ToContainTextAsync("set by Jenny");
        await page.GetByRole(AriaRole.Link, new() { Name = "Its round" }).ClickAsync();
        await page.GetByLabel("Go to version").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.Locator("[aria-current=step]")).ToContainTextAsync("Version 2 of");
        await explorer.SignOutAsync(page);
    }

    [Fact]
    public async Task An_erased_participant_reads_erased_on_every_page()
    {
        var (context, page) = await explorer.SignInAsync();
        await using var _ = context;
        foreach (var path in new[] { $"/explore/priorities/{explorer.Story.AgreedPriority}", $"/explore/decisions/{await DecisionOfAsync()}" })
        {
            await page.GotoAsync(explorer.Url(path));
            var text = await page.Locator("main").InnerTextAsync();
            Assert.Contains("[erased]", text, StringComparison.Ordinal);
            Assert.DoesNotContain(ExplorerInABrowser.Erased, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Feedback_text_shows_only_to_a_client_with_feedback_read()
    {
        var comment = (await ApiAsync($"/api/patient-feedback/{explorer.Story.FirstFeedback}")).GetProperty("comment").GetString()!;
        var (context, page) = await explorer.SignInAsync();
        await using (context)
        {
            await page.GotoAsync(explorer.Url($"/explore/priorities/{explorer.FeedbackPriority}"));
            await Expect(page.Locator(".feedback-text")).ToContainTextAsync(comment);
        }

        var (readerContext, reader) = await explorer.SignInAsync(ExplorerInABrowser.ReaderKey);
        await using var _ = readerContext;
        await reader.GotoAsync(explorer.Url($"/explore/priorities/{explorer.FeedbackPriority}"));
        await Expect(reader.Locator("#feedback-withheld")).ToBeVisibleAsync();
        Assert.DoesNotContain(comment, await reader.ContentAsync(), StringComparison.Ordinal);
        await ExplorerInABrowser.ScreenshotAsync(reader, "priority-without-feedback-read");

        // A page whose read needs a scope the client lacks says which.
        var decision = await reader.GotoAsync(explorer.Url($"/explore/decisions/{await DecisionOfAsync()}"));
        Assert.Equal(403, decision!.Status);
        await Expect(reader.Locator("main")).ToContainTextAsync("'audit:read'");
        Assert.Equal(403, (await readerContext.APIRequest.GetAsync(explorer.Url($"/api/patient-feedback/{explorer.Story.FirstFeedback}"))).Status);
    }

    [Fact]
    public async Task The_provenance_graph_has_a_node_for_each_agent_and_act_and_links_to_the_exports()
    {
        var decision = await DecisionOfAsync();
        var provenance = await ApiAsync($"/api/decisions/{decision}/provenance");
        var (context, page) = await explorer.SignInAsync();
        await using var _ = context;
        await page.GotoAsync(explorer.Url($"/explore/decisions/{decision}"));
        await ExplorerInABrowser.ScreenshotAsync(page, "decision");

        var acts = provenance.GetProperty("acts").EnumerateArray().ToArray();
        var agents = acts.Select(a => a.GetProperty("by").GetProperty("id").GetGuid())
            .Concat(provenance.GetProperty("decisionMakers").EnumerateArray().Select(p => p.GetProperty("id").GetGuid()))
            .Append(provenance.GetProperty("decidedBy").GetProperty("id").GetGuid()).Distinct().ToArray();
        foreach (var act in acts)
        {
            await Expect(page.Locator($"#provenance [data-node='act:{act.GetProperty("eventId").GetGuid()}']")).ToHaveCountAsync(1);
        }

        foreach (var agent in agents)
        {
            await Expect(page.Locator($"#provenance [data-node='agent:{agent}'] rect")).ToHaveCountAsync(1);
        }

        Assert.Equal(acts.Length, await page.Locator("#provenance [data-node^='act:']").CountAsync());
        Assert.Equal(agents.Length, await page.Locator("#provenance [data-node^='agent:']").CountAsync());
        // Agents are coloured by their group at the time.
        Assert.Equal("g-student", await page.Locator($"#provenance [data-node='agent:{explorer.Story.People["jenny"]}'] rect").GetAttributeAsync("class"));
        await Expect(page.Locator("#verdict")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Intact"));

        foreach (var (name, type) in new[] { ("W3C PROV-JSON", "application/json"), ("HL7 FHIR Bundle (Provenance and AuditEvent)", "application/fhir+json"), ("Plain text", "text/plain") })
        {
            var href = await page.GetByRole(AriaRole.Link, new() { Name = name }).GetAttributeAsync("href");
            var download = await context.APIRequest.GetAsync(explorer.Url(href!));
            Assert.Equal(200, download.Status);
            Assert.StartsWith(type, download.Headers["content-type"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_round_charts_show_each_group_and_the_replay_steps_through_versions()
    {
        var round = explorer.Story.Round;
        var results = await ApiAsync($"/api/rounds/{round}/results");
        var (context, page) = await explorer.SignInAsync();
        await using var _ = context;
        await page.GotoAsync(explorer.Url($"/explore/rounds/{round}"));
        await ExplorerInABrowser.ScreenshotAsync(page, "round");

        var groups = results.GetProperty("interim").GetProperty("groups").EnumerateArray().ToArray();
        Assert.NotEmpty(groups);
        foreach (var group in groups)
        {
            var name = group.GetProperty("group").GetString();
            await Expect(page.Locator($"#group-{name} .bar-row")).ToHaveCountAsync(group.GetProperty("scores").GetArrayLength());
        }

        await Expect(page.Locator("#combined .bar-row")).ToHaveCountAsync(results.GetProperty("interim").GetProperty("combined").GetArrayLength());
        var published = results.GetProperty("published").EnumerateArray().Select(p => p.GetProperty("statement").GetString()!).ToArray();
        Assert.Equal(published, await page.Locator("#published li").AllInnerTextsAsync());
        await Expect(page.Locator("#acceptances")).ToBeVisibleAsync();
        await Expect(page.Locator("table").Filter(new() { HasText = "rho" })).ToBeVisibleAsync();

        // What-if rescoring beside the real result.
        await page.GetByLabel("Without the group").SelectOptionAsync("patient");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rescore" }).ClickAsync();
        await Expect(page.Locator("caption").Filter(new() { HasText = "without the patient group's rankings" })).ToBeVisibleAsync();

        // Replay: the first version is the round just opened, with nothing published.
        await page.GetByRole(AriaRole.Link, new() { Name = "First" }).ClickAsync();
        await Expect(page.Locator("[aria-current=step]")).ToContainTextAsync("Version 1 of");
        await Expect(page.Locator("#published")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Feedback_a_hospital_sent_as_fhir_is_in_the_learning_loop_like_any_other()
    {
        var service = $"FHIR kiosk clinic {Guid.NewGuid():N}"[..26];
        var response = "{\"resourceType\":\"QuestionnaireResponse\",\"questionnaire\":\"urn:learningsystem:questionnaire:patient-feedback\",\"status\":\"completed\","
            + "\"authored\":\"2026-11-18T09:30:00Z\",\"source\":{\"display\":\"ward-survey-kiosk\"},\"item\":["
            + $"{{\"linkId\":\"service\",\"answer\":[{{\"valueString\":\"{service}\"}}]}},"
            + "{\"linkId\":\"rating\",\"answer\":[{\"valueCoding\":{\"system\":\"urn:learningsystem:friends-and-family-test\",\"code\":\"poor\"}}]},"
            + "{\"linkId\":\"consent\",\"answer\":[{\"valueCoding\":{\"system\":\"urn:learningsystem:consent-purpose\",\"code\":\"serviceImprovement\"}}]}]}";
        using var recorded = await explorer.Service.Client.PostAsync(new Uri("/fhir/QuestionnaireResponse", UriKind.Relative),
            new StringContent(response, System.Text.Encoding.UTF8, "application/fhir+json"));
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        var id = recorded.Headers.Location!.OriginalString.Split('/')[^1];

        var (context, page) = await explorer.SignInAsync();
        await using var _ = context;
        await page.GotoAsync(explorer.Url($"/explore/lineage/{id}"));

        await Expect(page.Locator("#lineage")).ToContainTextAsync($"poor feedback on {service}");
    }

    [Fact]
    public async Task The_learning_loop_links_each_item_to_its_page()
    {
        var lineage = await ApiAsync($"/api/lineage/{explorer.Story.FirstFeedback}");
        var (context, page) = await explorer.SignInAsync();
        await using var _ = context;
        await page.GotoAsync(explorer.Url($"/explore/lineage/{explorer.Story.FirstFeedback}"));
        await ExplorerInABrowser.ScreenshotAsync(page, "lineage");

        Assert.Equal(lineage.GetProperty("nodes").GetArrayLength(), await page.Locator("#lineage [data-node]").CountAsync());
        Assert.Equal(lineage.GetProperty("edges").GetArrayLength(), await page.Locator("#lineage path.edge").CountAsync());
        // Followed from the keyboard: a node is a link that takes the focus, whatever part of the drawing is scrolled into view.
        var redesign = page.Locator($"#lineage a[data-node='{explorer.Story.Redesign}']");
        Assert.Equal($"/explore/service-redesigns/{explorer.Story.Redesign}", await redesign.GetAttributeAsync("href"));
        await redesign.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await ExplorerInABrowser.ArriveAsync(page, explorer.Url($"/explore/service-redesigns/{explorer.Story.Redesign}"));
        await Expect(page.Locator("h1")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_audit_page_verifies_now_and_lists_the_signed_checkpoints()
    {
        var (context, page) = await explorer.SignInAsync();
        await using var _ = context;
        await page.GotoAsync(explorer.Url("/explore/audit"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify the chain now" }).ClickAsync();
        await Expect(page.Locator("#verdict")).ToContainTextAsync("Intact");
        var checkpoints = (await ApiAsync("/api/audit/checkpoints")).GetProperty("checkpoints").GetArrayLength();
        Assert.True(checkpoints >= 1);
        await Expect(page.Locator("#checkpoints ~ div table tbody tr")).ToHaveCountAsync(checkpoints);
        await Expect(page.Locator("#checkpoints ~ div table tbody tr").First).Not.ToContainTextAsync("unsigned");
        await ExplorerInABrowser.ScreenshotAsync(page, "audit");
    }

    [Fact]
    public async Task The_audit_page_shows_a_rewritten_event_against_the_link_it_breaks()
    {
        var (context, page) = await explorer.SignInAsync(organisation: ExplorerInABrowser.Tampered);
        await using var _ = context;
        await Expect(page.Locator("h1")).ToHaveTextAsync($"Organisation {ExplorerInABrowser.Tampered}");

        await page.GotoAsync(explorer.Url("/explore/audit?verify=now"));
        await Expect(page.Locator("#verdict")).ToContainTextAsync("Broken");
        var row = page.Locator("#broken tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync($"{explorer.TamperedPriority} v2");
        await Expect(row).ToContainTextAsync("changed");
        await ExplorerInABrowser.ScreenshotAsync(page, "audit-broken");
    }

    [Fact]
    public async Task A_statement_that_is_a_script_shows_as_text_and_nothing_runs()
    {
        var (context, page) = await explorer.SignInAsync();
        await using var _ = context;
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        var answer = await page.GotoAsync(explorer.Url($"/explore/priorities/{explorer.HostilePriority}"));

        Assert.Equal(ExplorerInABrowser.Hostile, await page.Locator("h1").InnerTextAsync());
        Assert.Equal(0, await page.Locator("main script, main img").CountAsync());
        Assert.Equal(0, dialogs);
        var policy = answer!.Headers["content-security-policy"];
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_page_is_accessible_keyboard_reachable_readable_on_a_tablet_and_asks_nothing_of_other_sites()
    {
        var decision = await DecisionOfAsync();
        string[] paths =
        [
            "/explore", $"/explore/priorities/{explorer.Story.AgreedPriority}", $"/explore/service-redesigns/{explorer.Story.Redesign}",
            $"/explore/curriculum-changes/{explorer.Story.CurriculumChange}", $"/explore/decisions/{decision}", $"/explore/rounds/{explorer.Story.Round}",
            $"/explore/lineage/{explorer.Story.FirstFeedback}", "/explore/audit?verify=now",
            "/explore/priorities", "/explore/decisions", "/explore/rounds", "/explore/service-redesigns", "/explore/curriculum-changes",
            "/explore/patient-feedback", "/explore/search?q=waits", $"/explore/participants/{explorer.Story.People["jenny"]}",
            "/explore/stakeholder-groups/patient", "/explore/stakeholder-groups/patient/acts", $"/explore/rounds/{explorer.Story.Round}/comparison?with={explorer.Story.Round}",
        ];
        foreach (var (width, height) in new[] { (1280, 900), (768, 1024) })
        {
            var (context, page) = await explorer.SignInAsync(width: width, height: height);
            await using var _ = context;
            var elsewhere = new List<string>();
            page.Request += (_, request) =>
            {
                if (!request.Url.StartsWith(explorer.Url("/"), StringComparison.Ordinal))
                {
                    elsewhere.Add(request.Url);
                }
            };
            foreach (var path in paths)
            {
                var answer = await page.GotoAsync(explorer.Url(path));
                Assert.Equal(200, answer!.Status);

                // The first Tab reaches the skip link, and every link and button can take the focus.
                await page.Keyboard.PressAsync("Tab");
                Assert.Equal("Skip to the content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
                Assert.Equal(0, await page.Locator("a:not([href]), [tabindex='-1']").CountAsync());

                // Nothing but the pictures' own scrolling boxes is wider than the screen.
                Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"{path} scrolls sideways at {width}px");

                var axe = await page.RunAxe();
                var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{path}: {v.Id} {v.Help} ({string.Join(", ", v.Nodes.Take(3).Select(n => n.Html))})").ToArray();
                Assert.True(serious.Length == 0, string.Join("\n", serious));
            }

            if (width < 1000)
            {
                await page.GotoAsync(explorer.Url($"/explore/rounds/{explorer.Story.Round}"));
                await ExplorerInABrowser.ScreenshotAsync(page, "round-tablet");
            }

            Assert.Empty(elsewhere);
        }
    }

    [Fact]
    public async Task Hostile_or_unknown_page_addresses_get_a_clear_answer_never_a_server_error()
    {
        var (context, _) = await explorer.SignInAsync();
        await using var __ = context;
        var priority = explorer.Story.AgreedPriority;
        (string Path, int Status)[] cases =
        [
            ($"/explore/priorities/{Guid.NewGuid()}", 404), ($"/explore/decisions/{Guid.NewGuid()}", 404), ($"/explore/rounds/{Guid.NewGuid()}", 404),
            ($"/explore/lineage/{Guid.NewGuid()}", 404), ($"/explore/service-redesigns/{priority}", 404), ("/explore/priorities/not-an-id", 404),
            ($"/explore/priorities/{Guid.Empty}", 404), ($"/explore/priorities/{priority}?version=0", 400), ($"/explore/priorities/{priority}?version=abc", 400),
            ($"/explore/priorities/{priority}?version=99999", 200), ($"/explore/rounds/{explorer.Story.Round}?version=-3&only=%3Cscript%3E&without=nobody", 200),
            ("/explore/audit?verify=%00", 400), ("/explore/sign-in?returnTo=https://elsewhere.example/", 200),
        ];
        foreach (var (path, status) in cases)
        {
            var answer = await context.APIRequest.GetAsync(explorer.Url(path));
            Assert.True(status == answer.Status, $"{path} answered {answer.Status}, not {status}");
        }

        // A return address elsewhere is dropped, never followed.
        var form = await context.APIRequest.GetAsync(explorer.Url("/explore/sign-in?returnTo=https://elsewhere.example/"));
        Assert.DoesNotContain("elsewhere.example", await form.TextAsync(), StringComparison.Ordinal);
    }

    private async Task<Guid> DecisionOfAsync() =>
        (await ApiAsync($"/api/priorities/{explorer.Story.AgreedPriority}")).GetProperty("decision").GetProperty("id").GetGuid();

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
