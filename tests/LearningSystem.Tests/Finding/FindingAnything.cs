using System.Globalization;
using System.Text.Json;
using Alba;
using LearningSystem.Tests.Priorities;

namespace LearningSystem.Tests.Finding;

/// <summary>Lists, search and who did what, over HTTP against PostgreSQL. Each test's items carry a word of their own, so other tests' items never count.</summary>
[Collection(ServiceGroup.Name)]
public sealed class FindingAnything(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    private static string Word() => $"zq{Guid.NewGuid().ToString("N")[..10]}";

    private static string[] Statements(JsonElement list) => [.. list.EnumerateArray().Select(p => p.GetProperty("statement").GetString()!)];

    [Fact]
    public async Task A_list_filters_sorts_and_pages_by_keyset_and_its_csv_has_the_same_items()
    {
        var word = Word();
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        foreach (var letter in new[] { "b", "c", "a" })
        {
            await Host.SetPriorityAsync(jenny, $"{letter} {word} shorter waits");
        }

        var all = await Host.GetJsonAsync($"/api/priorities?q={word}&sort=statement");
        Assert.Equal([$"a {word} shorter waits", $"b {word} shorter waits", $"c {word} shorter waits"], Statements(all));
        Assert.Equal([$"c {word} shorter waits", $"b {word} shorter waits", $"a {word} shorter waits"], Statements(await Host.GetJsonAsync($"/api/priorities?q={word}&sort=-statement")));

        // Two a page: the Link header leads on from the last item, and the last page has none.
        var first = await Host.Scenario(s => s.Get.Url($"/api/priorities?q={word}&sort=statement&limit=2"));
        Assert.Equal([$"a {word} shorter waits", $"b {word} shorter waits"], Statements(await first.ReadAsJsonAsync<JsonElement>()));
        var link = first.Context.Response.Headers.Link.ToString();
        var next = link[(link.IndexOf('<') + 1)..link.IndexOf('>')];
        var second = await Host.Scenario(s => s.Get.Url(next));
        Assert.Equal([$"c {word} shorter waits"], Statements(await second.ReadAsJsonAsync<JsonElement>()));
        Assert.Equal("", second.Context.Response.Headers.Link.ToString());

        // A cursor for one order is refused for another, not silently misread.
        await Host.Scenario(s =>
        {
            s.Get.Url(next.Replace("sort=statement", "sort=-setAt", StringComparison.Ordinal));
            s.StatusCodeShouldBe(400);
        });

        var (csv, type) = await Host.GetTextAsync($"/api/priorities.csv?q={word}&sort=statement");
        Assert.StartsWith("text/csv", type, StringComparison.Ordinal);
        var rows = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, rows.Length);
        Assert.StartsWith("id,statement,status,", rows[0], StringComparison.Ordinal);
        Assert.Contains($"a {word} shorter waits", rows[1], StringComparison.Ordinal);

        // Filters combine: a withdrawn one is found by its status, and not among the open.
        var withdrawn = (await Host.GetJsonAsync($"/api/priorities?q={word}&sort=statement"))[0].GetProperty("id").GetGuid();
        await Host.MoveAsync(withdrawn, "withdrawal", new { by = jenny, reason = "Merged elsewhere" });
        Assert.Equal([$"a {word} shorter waits"], Statements(await Host.GetJsonAsync($"/api/priorities?q={word}&status=withdrawn")));
        Assert.Equal(2, (await Host.GetJsonAsync($"/api/priorities?q={word}&status=open&setByGroup=student")).GetArrayLength());
        Assert.Equal(0, (await Host.GetJsonAsync($"/api/priorities?q={word}&setByGroup=patient")).GetArrayLength());
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal(0, (await Host.GetJsonAsync($"/api/priorities?q={word}&from={tomorrow}")).GetArrayLength());
        Assert.Equal(3, (await Host.GetJsonAsync($"/api/priorities?q={word}&to={tomorrow}")).GetArrayLength());
    }

    [Fact]
    public async Task Decisions_are_listed_by_outcome_with_what_they_decided()
    {
        var statement = $"Decided {Word()}";
        var brown = await Host.ParticipantAsync("Ms Brown", "manager");
        var priority = await Host.SetPriorityAsync(brown, statement);
        await Host.MoveAsync(priority, "decision", new { by = brown, outcome = "agreed", rationale = "Agreed by all.", decisionMakers = new[] { brown }, expectedVersion = 1 });

        var agreed = (await Host.GetJsonAsync("/api/decisions?outcome=agreed&sort=-at&limit=1000")).EnumerateArray().Single(d => d.GetProperty("proposalId").GetGuid() == priority);
        Assert.Equal("priorities", agreed.GetProperty("kind").GetString());
        Assert.Equal(statement, agreed.GetProperty("title").GetString());
        Assert.Equal("agreed", agreed.GetProperty("outcome").GetString());
        Assert.DoesNotContain((await Host.GetJsonAsync("/api/decisions?outcome=rejected&limit=1000")).EnumerateArray(), d => d.GetProperty("proposalId").GetGuid() == priority);
        Assert.Contains($"{priority},{statement},agreed,", (await Host.GetTextAsync("/api/decisions.csv?outcome=agreed")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redesign_is_listed_under_the_state_it_has_reached_and_under_no_other()
    {
        var service = $"Clinic {Word()}";
        var brown = await Host.ParticipantAsync("Ms Brown", "manager");
        var priority = await Host.SetPriorityAsync(brown);
        await Host.MoveAsync(priority, "decision", new { by = brown, outcome = "agreed", rationale = "Agreed.", decisionMakers = new[] { brown }, expectedVersion = 1 });
        var redesign = await Host.CreateAsync("/api/service-redesigns", new
        {
            title = "Tell waiting patients", problem = "Nobody knows the wait.", proposedChange = "Tell them.", service, proposedBy = brown, evidence = Array.Empty<Guid>(),
        });

        async Task ListedOnlyAsAsync(string state)
        {
            foreach (var each in new[] { "open", "approved", "rejected", "implemented", "measured", "evaluated" })
            {
                var listed = (await Host.GetJsonAsync($"/api/service-redesigns?service={Uri.EscapeDataString(service)}&state={each}")).GetArrayLength();
                Assert.True(listed == (each == state ? 1 : 0), $"listed {listed} times as {each}, while it is {state}");
            }
        }

        await ListedOnlyAsAsync("open");
        await Host.Scenario(s =>
        {
            s.Post.Json(new { by = brown, outcome = "approved", rationale = "It serves the agreed priority.", basedOnPriorities = new[] { priority }, decisionMakers = new[] { brown }, expectedVersion = 1 })
                .ToUrl($"/api/service-redesigns/{redesign}/decision");
            s.StatusCodeShouldBe(201);
        });
        await ListedOnlyAsAsync("approved");
        await Host.Scenario(s =>
        {
            s.Post.Json(new { by = brown, whatChanged = "Reception tells patients the wait.", implementedOn = "2026-11-02T00:00:00Z" }).ToUrl($"/api/service-redesigns/{redesign}/implementations");
            s.StatusCodeShouldBe(201);
        });
        await ListedOnlyAsAsync("implemented");
        Assert.Contains(",implemented,", (await Host.GetTextAsync($"/api/service-redesigns.csv?service={Uri.EscapeDataString(service)}")).Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/priorities?sort=stature", "sort")]
    [InlineData("/api/priorities?after=bm90LWEtY3Vyc29y", "after")]
    [InlineData("/api/priorities?sort=statement&after=MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDFzAHg", "after")]
    [InlineData("/api/priorities?status=lost", "status")]
    [InlineData("/api/decisions?outcome=maybe", "outcome")]
    [InlineData("/api/rounds?state=closed", "state")]
    [InlineData("/api/service-redesigns?state=dreamt", "state")]
    [InlineData("/api/curriculum-changes?state=forgotten", "state")]
    [InlineData("/api/patient-feedback/ratings?rating=meh", "rating")]
    [InlineData("/api/search?q=", "q")]
    [InlineData("/api/search?q=waits&kind=person", "kind")]
    [InlineData("/api/stakeholder-groups/patient/acts?sort=who", "sort")]
    public async Task A_filter_or_order_the_list_does_not_have_is_a_400_naming_it(string url, string field)
    {
        var problem = await Host.GetJsonAsync(url, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Search_finds_every_wording_a_priority_had_and_never_a_name_or_a_patients_words()
    {
        var (amended, named, wrote) = (Word(), Word(), Word());
        var jenny = await Host.ParticipantAsync($"Jenny {named}", "student");
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");
        var priority = await Host.SetPriorityAsync(jenny, "Tell patients how long they will wait");
        var amendment = await Host.MoveAsync(priority, "amendments", new { by = patient, wording = $"Tell patients {amended} how long", reason = "Clearer", expectedVersion = 1 });
        await Host.MoveAsync(priority, $"amendments/{amendment.GetProperty("id").GetGuid()}/acceptance", new { by = jenny, expectedVersion = 2 });
        await Host.CreateAsync("/api/patient-feedback", Requests.Feedback($"I waited {wrote} hours"));

        var hits = await Host.GetJsonAsync($"/api/search?q={amended}");
        Assert.Equal(priority, Assert.Single(hits.EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal("priority", hits[0].GetProperty("kind").GetString());
        // Found by its first wording too, though the statement now reads otherwise.
        Assert.Contains((await Host.GetJsonAsync("/api/search?q=%22how%20long%20they%20will%20wait%22&kind=priority")).EnumerateArray(), h => h.GetProperty("id").GetGuid() == priority);

        Assert.Equal(0, (await Host.GetJsonAsync($"/api/search?q={named}")).GetArrayLength());
        Assert.Equal(0, (await Host.GetJsonAsync($"/api/search?q={wrote}")).GetArrayLength());
        await Host.Scenario(s =>
        {
            s.Post.Json(new { reason = "Withdrew consent", legalBasis = "consentWithdrawn" }).ToUrl($"/api/participants/{jenny}/erasure");
            s.StatusCodeShouldBeSuccess();
        });
        Assert.Equal(0, (await Host.GetJsonAsync($"/api/search?q={named}")).GetArrayLength());
        Assert.Single((await Host.GetJsonAsync($"/api/search?q={amended}")).EnumerateArray());
    }

    [Fact]
    public async Task A_participants_acts_and_their_groups_figures_follow_what_they_did()
    {
        var before = await Host.GetJsonAsync("/api/stakeholder-groups/carer");
        var carer = await Host.ParticipantAsync("Mrs Lim", "carer");
        var nurse = await Host.ParticipantAsync("Sister Ada", "nurse");
        var priority = await Host.SetPriorityAsync(carer, $"Carers hear first {Word()}");
        await Host.MoveAsync(priority, "endorsements", new { by = nurse });
        await Host.MoveAsync(priority, "objections", new { by = carer, reason = "Too vague" });
        var amendment = await Host.MoveAsync(priority, "amendments", new { by = nurse, wording = "Carers hear first, by phone", reason = "Concrete", expectedVersion = 3 });
        await Host.MoveAsync(priority, $"amendments/{amendment.GetProperty("id").GetGuid()}/acceptance", new { by = carer, expectedVersion = 4 });

        var acts = (await Host.GetJsonAsync($"/api/participants/{carer}/acts")).EnumerateArray().ToArray();
        Assert.Equal(["set", "objectionRaised", "amendmentAccepted"], acts.Select(a => a.GetProperty("move").GetString()));
        Assert.All(acts, a => Assert.Equal(priority, a.GetProperty("on").GetGuid()));
        Assert.Equal([1L, 3L, 5L], acts.Select(a => a.GetProperty("version").GetInt64()));
        Assert.Equal(["amendmentAccepted", "objectionRaised", "set"], (await Host.GetJsonAsync($"/api/participants/{carer}/acts?sort=-at")).EnumerateArray().Select(a => a.GetProperty("move").GetString()));
        Assert.Contains((await Host.GetJsonAsync("/api/stakeholder-groups/nurse/acts?sort=-at&limit=10")).EnumerateArray(),
            a => a.GetProperty("by").GetGuid() == nurse && a.GetProperty("move").GetString() == "amendmentProposed");

        var after = await Host.GetJsonAsync("/api/stakeholder-groups/carer");
        int Delta(params string[] path)
        {
            JsonElement Walk(JsonElement e) => path.Aggregate(e, (x, p) => x.GetProperty(p));
            return Walk(after).GetInt32() - Walk(before).GetInt32();
        }

        Assert.Equal(1, Delta("participants"));
        Assert.Equal(1, Delta("balance", "prioritiesSet"));
        Assert.Equal(1, Delta("balance", "objectionsRaised"));
        Assert.Equal(1, Delta("priorities", "open"));
        Assert.Contains(after.GetProperty("acceptedFrom").EnumerateArray(), a => a.GetProperty("proposer").GetString() == "nurse" && a.GetProperty("acceptedBy").GetString() == "carer");
        await Host.GetJsonAsync("/api/stakeholder-groups/astronaut", 404);
        await Host.GetJsonAsync($"/api/participants/{Guid.NewGuid()}/acts", 404);
    }
}
