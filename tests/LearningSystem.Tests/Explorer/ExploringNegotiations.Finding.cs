using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace LearningSystem.Tests.Explorer;

/// <summary>Analysts find anything: lists, search, a participant's acts and a group's, each as the API shows that client.</summary>
public sealed partial class ExploringNegotiations
{
    [Fact]
    public async Task A_list_filters_sorts_pages_and_downloads_exactly_what_the_api_lists()
    {
        var (context, page) = await explorer.SignInAsync(javaScript: false);
        await using var _ = context;
        var api = (await ApiAsync("/api/priorities?sort=statement&limit=1000")).EnumerateArray().Select(p => p.GetProperty("statement").GetString()!).ToArray();
        Assert.True(api.Length > 3, "the story sets several priorities");

        // The form is a plain GET form: choosing an order and a page size is the API's query.
        await page.GotoAsync(explorer.Url("/explore"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Priorities", Exact = true }).First.ClickAsync();
        await page.GetByLabel("Order").SelectOptionAsync("statement");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        var shown = new List<string>();
        await page.GotoAsync(explorer.Url("/explore/priorities?sort=statement&limit=2"));
        while (true)
        {
            shown.AddRange(await page.Locator("tbody tr td:first-child").AllInnerTextsAsync());
            var next = page.GetByRole(AriaRole.Link, new() { Name = "Next page" });
            if (await next.CountAsync() == 0)
            {
                break;
            }

            await next.ClickAsync();
        }

        Assert.Equal(api, shown);

        // The CSV link is the API's download of the same list: a header and a row per priority.
        await page.GotoAsync(explorer.Url("/explore/priorities?sort=statement&setByGroup=patient"));
        var csv = await page.GetByRole(AriaRole.Link, new() { Name = "Download as CSV" }).GetAttributeAsync("href");
        Assert.Equal("/api/priorities.csv?setByGroup=patient&sort=statement", csv);
        var rows = (await (await context.APIRequest.GetAsync(explorer.Url(csv!))).TextAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var patients = (await ApiAsync("/api/priorities?setByGroup=patient&sort=statement")).GetArrayLength();
        Assert.Equal(patients + 1, rows.Length);
        Assert.Equal(patients, await page.Locator("tbody tr").CountAsync());
        await ExplorerInABrowser.ScreenshotAsync(page, "priorities-list");

        // A filter value the API refuses is refused here too, with its reason.
        var refused = await page.GotoAsync(explorer.Url("/explore/priorities?status=lost"));
        Assert.Equal(400, refused!.Status);
        await Expect(page.Locator("main")).ToContainTextAsync("'lost' is not one of: open, withdrawn, merged, decided.");
        Assert.Equal(400, (await page.GotoAsync(explorer.Url("/explore/priorities?roundId=not-a-round")))!.Status);
        await Expect(page.Locator("main")).ToContainTextAsync("roundId is a round's id");
    }

    [Fact]
    public async Task Search_finds_priorities_by_any_wording_and_never_a_person_or_what_a_patient_wrote()
    {
        var (context, page) = await explorer.SignInAsync();
        await using var _ = context;
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        var agreed = await ApiAsync($"/api/priorities/{explorer.Story.AgreedPriority}");
        var firstWording = agreed.GetProperty("negotiation").GetProperty("wordings")[0].GetProperty("text").GetString()!;

        // The box is on every page; the priority is found by the wording it had before it was amended.
        await page.GotoAsync(explorer.Url($"/explore/rounds/{explorer.Story.Round}"));
        await page.GetByLabel("Search priorities, wordings, redesigns, curriculum changes and lessons").FillAsync($"\"{firstWording}\"");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        Assert.Contains(explorer.Url($"/explore/priorities/{explorer.Story.AgreedPriority}"),
            await page.Locator("tbody a").EvaluateAllAsync<string[]>("links => links.map(a => a.href)"));
        await ExplorerInABrowser.ScreenshotAsync(page, "search");

        // Names and what patients wrote are personal: never indexed, so never found, even before erasure.
        var comment = (await ApiAsync($"/api/patient-feedback/{explorer.Story.FirstFeedback}")).GetProperty("comment").GetString()!;
        foreach (var words in new[] { ExplorerInABrowser.Erased, "Jenny", comment })
        {
            Assert.Equal(0, (await ApiAsync($"/api/search?q={Uri.EscapeDataString(words)}")).GetArrayLength());
            await page.GotoAsync(explorer.Url($"/explore/search?q={Uri.EscapeDataString(words)}"));
            await Expect(page.Locator("main")).ToContainTextAsync("Nothing matches.");
        }

        // Hostile words are words: asked for, they show as text; the hostile priority, found, shows as text.
        await page.GotoAsync(explorer.Url($"/explore/search?q={Uri.EscapeDataString(ExplorerInABrowser.Hostile)}"));
        Assert.Equal($"Search: {ExplorerInABrowser.Hostile}", await page.Locator("h1").InnerTextAsync());
        Assert.Equal(ExplorerInABrowser.Hostile, await page.Locator("main input[name=q]").InputValueAsync());
        await page.GotoAsync(explorer.Url("/explore/search?q=onerror"));
        Assert.Contains(ExplorerInABrowser.Hostile, await page.Locator("tbody").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("main script, main img").CountAsync());
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task A_participants_page_shows_what_they_did_each_act_at_its_place_in_the_timeline_and_erased_after_erasure()
    {
        var (context, page) = await explorer.SignInAsync();
        await using var _ = context;
        var jenny = explorer.Story.People["jenny"];
        var acts = (await ApiAsync($"/api/participants/{jenny}/acts?sort=-at&limit=100")).EnumerateArray().ToArray();
        Assert.Contains(acts, a => a.GetProperty("move").GetString() == "set" && a.GetProperty("on").GetGuid() == explorer.Story.AgreedPriority);

        await page.GotoAsync(explorer.Url($"/explore/participants/{jenny}"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Jenny");
        Assert.Equal(acts.Length, await page.Locator("tbody tr").CountAsync());
        await ExplorerInABrowser.ScreenshotAsync(page, "participant");

        // Each act opens its item as that act left it, at the act in the timeline.
        var set = acts.Last(a => a.GetProperty("move").GetString() == "set" && a.GetProperty("on").GetGuid() == explorer.Story.AgreedPriority);
        var version = set.GetProperty("version").GetInt64();
        await page.Locator($"a[href='/explore/priorities/{explorer.Story.AgreedPriority}?version={version}#act-{version}']").ClickAsync();
        await Expect(page.Locator($"#act-{version}")).ToContainTextAsync("set by Jenny");

        // After erasure the page reads erased, and no page names her.
        await page.GotoAsync(explorer.Url($"/explore/participants/{explorer.Story.People["patel"]}"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("[erased]");
        Assert.DoesNotContain(ExplorerInABrowser.Erased, await page.ContentAsync(), StringComparison.Ordinal);

        // The group page: the same figures as the API's, its participants linked, and what they did.
        var group = await ApiAsync("/api/stakeholder-groups/student");
        await page.GotoAsync(explorer.Url("/explore/stakeholder-groups/student"));
        async Task ShowsAsync(string row, JsonElement value) =>
            await Expect(page.Locator("tr", new() { HasText = row }).Locator("td")).ToHaveTextAsync(value.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        await ShowsAsync("Priorities set", group.GetProperty("balance").GetProperty("prioritiesSet"));
        await ShowsAsync("Amendments accepted", group.GetProperty("balance").GetProperty("amendmentsAccepted"));
        await ShowsAsync("Published by a round", group.GetProperty("priorities").GetProperty("published"));
        await ShowsAsync("Withdrawn", group.GetProperty("priorities").GetProperty("withdrawn"));
        await ExplorerInABrowser.ScreenshotAsync(page, "stakeholder-group");
        await page.GetByRole(AriaRole.Link, new() { Name = "Jenny" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Jenny");

        // A hostile name is a name: shown as text on the person's page and the group's, and nothing runs.
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        var registered = await explorer.Service.Client.PostAsJsonAsync("/api/participants", new { displayName = ExplorerInABrowser.Hostile, stakeholderGroup = "researcher" });
        var hostile = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await page.GotoAsync(explorer.Url($"/explore/participants/{hostile}"));
        Assert.Equal(ExplorerInABrowser.Hostile, await page.Locator("h1").InnerTextAsync());
        await page.GotoAsync(explorer.Url("/explore/stakeholder-groups/researcher"));
        Assert.Contains(ExplorerInABrowser.Hostile, await page.Locator("#people ~ ul").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("main script, main img").CountAsync());
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task Each_new_page_shows_a_client_exactly_what_the_api_shows_it()
    {
        var (context, reader) = await explorer.SignInAsync(ExplorerInABrowser.ReaderKey);
        await using var _ = context;
        var comment = (await ApiAsync($"/api/patient-feedback/{explorer.Story.FirstFeedback}")).GetProperty("comment").GetString()!;

        // Without feedback:read: the ratings the API gives with read alone, and not a word patients wrote.
        var ratings = await (await context.APIRequest.GetAsync(explorer.Url("/api/patient-feedback/ratings?sort=-receivedAt&limit=50"))).JsonAsync();
        Assert.Equal(403, (await context.APIRequest.GetAsync(explorer.Url("/api/patient-feedback"))).Status);
        await reader.GotoAsync(explorer.Url("/explore/patient-feedback"));
        Assert.Equal(ratings!.Value.GetArrayLength(), await reader.Locator("tbody tr").CountAsync());
        Assert.DoesNotContain(comment, await reader.ContentAsync(), StringComparison.Ordinal);
        await Expect(reader.Locator("main")).ToContainTextAsync("'feedback:read'");
        Assert.Equal(0, await reader.GetByRole(AriaRole.Columnheader, new() { Name = "Comment" }).CountAsync());

        // Without analytics:read: no download link, as the API refuses the download.
        Assert.Equal(0, await reader.GetByRole(AriaRole.Link, new() { Name = "Download as CSV" }).CountAsync());
        await Expect(reader.Locator("main")).ToContainTextAsync("'analytics:read'");
        Assert.Equal(403, (await context.APIRequest.GetAsync(explorer.Url("/api/patient-feedback.csv"))).Status);
        Assert.Equal(403, (await context.APIRequest.GetAsync(explorer.Url("/api/priorities.csv"))).Status);

        // With both, the page shows the comments the full list answers, and the download carries them.
        var (fullContext, full) = await explorer.SignInAsync();
        await using var __ = fullContext;
        await full.GotoAsync(explorer.Url("/explore/patient-feedback"));
        await Expect(full.GetByRole(AriaRole.Columnheader, new() { Name = "Comment" })).ToBeVisibleAsync();
        Assert.Contains(comment, await full.Locator("tbody").InnerTextAsync(), StringComparison.Ordinal);
        var csv = await full.GetByRole(AriaRole.Link, new() { Name = "Download as CSV" }).GetAttributeAsync("href");
        Assert.Contains(comment.Split(' ')[0], await (await fullContext.APIRequest.GetAsync(explorer.Url(csv!))).TextAsync(), StringComparison.Ordinal);
    }
}
