using System.Text.Json;
using Alba;

using LearningSystem.Tests.Priorities;

namespace LearningSystem.Tests.Rounds;

[Collection(ServiceGroup.Name)]
public sealed class RunningRounds(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    private async Task<(Guid Round, Guid Manager)> OpenAsync(params string[] requiredGroups)
    {
        var manager = await Host.ParticipantAsync("Ms Brown", "manager");
        var round = await Host.CreateAsync("/api/rounds", new { question = "What first?", scope = "The clinic", requiredGroups, by = manager });
        return (round, manager);
    }

    private async Task<int> PostAsync(string url, object body, int status)
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl(url);
            s.StatusCodeShouldBe(status);
            if (status >= 400)
            {
                s.ContentTypeShouldBe("application/problem+json");
            }
        });
        return result.Context.Response.StatusCode;
    }

    [Fact]
    public async Task Opening_a_round_needs_a_question_scope_groups_and_a_known_participant()
    {
        var manager = await Host.ParticipantAsync("Ms Brown", "manager");

        await PostAsync("/api/rounds", new { }, 400);
        await PostAsync("/api/rounds", new { question = "q", scope = "s", requiredGroups = new[] { "wizards" }, by = manager }, 400);
        await PostAsync("/api/rounds", new { question = "q", scope = "s", requiredGroups = new[] { "patient" }, by = Guid.NewGuid() }, 404);
        var round = await Host.CreateAsync("/api/rounds", new { question = "q", scope = "s", requiredGroups = new[] { "patient", "nurse" }, invitedGroups = new[] { "carer" }, by = manager });

        var view = await Host.GetJsonAsync($"/api/rounds/{round}");
        Assert.Equal(["patient", "nurse"], view.GetProperty("requiredGroups").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal(["patient", "carer", "nurse"], view.GetProperty("invitedGroups").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal("open", view.GetProperty("stage").GetString());
    }

    [Fact]
    public async Task Priorities_join_a_round_only_while_it_is_open_and_only_if_it_exists()
    {
        var (round, manager) = await OpenAsync("patient");
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");

        await PostAsync("/api/priorities", new { statement = "s", rationale = "r", setBy = patient, roundId = Guid.NewGuid() }, 404);
        var priority = await Host.CreateAsync("/api/priorities", new { statement = "s", rationale = "r", setBy = patient, roundId = round });
        await PostAsync($"/api/rounds/{round}/interim-rankings", new { by = patient, ranking = new[] { priority } }, 201);
        await PostAsync($"/api/rounds/{round}/shortlist", new { by = manager, size = 1 }, 201);

        await PostAsync("/api/priorities", new { statement = "late", rationale = "r", setBy = patient, roundId = round }, 409);
        Assert.Equal([priority], (await Host.GetJsonAsync($"/api/rounds/{round}")).GetProperty("priorities").EnumerateArray().Select(p => p.GetGuid()));
    }

    [Fact]
    public async Task Ranking_refuses_uninvited_groups_strangers_and_bad_rankings()
    {
        var (round, manager) = await OpenAsync("patient");
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");
        var priority = await Host.CreateAsync("/api/priorities", new { statement = "s", rationale = "r", setBy = patient, roundId = round });

        await PostAsync($"/api/rounds/{round}/interim-rankings", new { by = manager, ranking = new[] { priority } }, 409);
        await PostAsync($"/api/rounds/{round}/interim-rankings", new { by = patient, ranking = new[] { Guid.NewGuid() } }, 404);
        await PostAsync($"/api/rounds/{round}/interim-rankings", new { by = patient, ranking = new[] { priority, priority } }, 400);
        await PostAsync($"/api/rounds/{round}/interim-rankings", new { by = patient, ranking = Enumerable.Range(0, 11).Select(_ => Guid.NewGuid()) }, 400);
        await PostAsync($"/api/rounds/{Guid.NewGuid()}/interim-rankings", new { by = patient, ranking = new[] { priority } }, 404);
    }

    [Fact]
    public async Task A_correction_replaces_the_ranking_and_stays_in_the_history()
    {
        var (round, _) = await OpenAsync("patient");
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");
        var first = await Host.CreateAsync("/api/priorities", new { statement = "one", rationale = "r", setBy = patient, roundId = round });
        var second = await Host.CreateAsync("/api/priorities", new { statement = "two", rationale = "r", setBy = patient, roundId = round });

        await PostAsync($"/api/rounds/{round}/interim-rankings", new { by = patient, ranking = new[] { first, second } }, 201);
        await PostAsync($"/api/rounds/{round}/interim-rankings", new { by = patient, ranking = new[] { second } }, 201);

        Assert.Equal(1, (await Host.GetJsonAsync($"/api/rounds/{round}")).GetProperty("respondents").GetInt32());
        var rankings = await Host.GetJsonAsync($"/api/rounds/{round}/interim-rankings");
        var ballot = Assert.Single(rankings.EnumerateArray());
        Assert.Equal([second], ballot.GetProperty("ranking").EnumerateArray().Select(p => p.GetGuid()));
        Assert.True(ballot.GetProperty("corrected").GetBoolean());
        var history = await Host.GetJsonAsync($"/api/streams/{round}/events");
        Assert.Equal(2, history.EnumerateArray().Count(e => e.GetProperty("type").GetString() == "interim_ranking_submitted"));
        Assert.True(history.EnumerateArray().Last().GetProperty("data").GetProperty("correction").GetBoolean());
    }

    [Fact]
    public async Task Publishing_is_refused_while_a_required_group_is_missing_naming_it()
    {
        var (round, manager) = await OpenAsync("patient", "carer");
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");
        var priority = await Host.CreateAsync("/api/priorities", new { statement = "s", rationale = "r", setBy = patient, roundId = round });
        await PostAsync($"/api/rounds/{round}/interim-rankings", new { by = patient, ranking = new[] { priority } }, 201);
        await PostAsync($"/api/rounds/{round}/shortlist", new { by = manager, size = 5 }, 201);
        await PostAsync($"/api/rounds/{round}/workshop-rankings", new { by = manager, session = 1, smallGroup = "table", ranking = new[] { Guid.NewGuid() } }, 400);
        await PostAsync($"/api/rounds/{round}/workshop-rankings", new { by = manager, session = 1, smallGroup = "table", ranking = new[] { priority } }, 201);

        var refused = await Host.Scenario(s =>
        {
            s.Post.Json(new { by = manager }).ToUrl($"/api/rounds/{round}/publication");
            s.StatusCodeShouldBe(409);
        });

        var problem = await refused.ReadAsJsonAsync<JsonElement>();
        Assert.Equal(["carer"], problem.GetProperty("missingGroups").EnumerateArray().Select(g => g.GetString()));
        Assert.Contains("carer", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("shortlisted", (await Host.GetJsonAsync($"/api/rounds/{round}")).GetProperty("stage").GetString());
    }

    [Fact]
    public async Task Withdrawn_and_merged_priorities_are_set_aside_and_only_live_ones_are_shortlisted_and_published()
    {
        var (round, manager) = await OpenAsync("patient");
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");
        var other = await Host.ParticipantAsync("Mrs Shah", "patient");
        async Task<Guid> SetAsync(string statement) => await Host.CreateAsync("/api/priorities", new { statement, rationale = "r", setBy = patient, roundId = round });
        var keep = await SetAsync("keep");
        var withdrawn = await SetAsync("withdrawn");
        var merged = await SetAsync("merged into keep");
        var evening = await SetAsync("evening");

        // Ranked while all four counted: 10, 9, 8 and 7 points.
        await PostAsync($"/api/rounds/{round}/interim-rankings", new { by = patient, ranking = new[] { withdrawn, merged, keep, evening } }, 201);
        var before = DateTimeOffset.UtcNow;
        await Host.MoveAsync(withdrawn, "withdrawal", new { by = patient, reason = "Covered elsewhere" });
        await Host.MoveAsync(merged, "merge", new { by = manager, into = keep, reason = "Same question", expectedVersion = 1 });

        var refused = await Host.Scenario(s =>
        {
            s.Post.Json(new { by = other, ranking = new[] { keep, withdrawn } }).ToUrl($"/api/rounds/{round}/interim-rankings");
            s.StatusCodeShouldBe(409);
        });
        var problem = await refused.ReadAsJsonAsync<JsonElement>();
        Assert.Contains($"{withdrawn} (withdrawn)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("withdrawn", Assert.Single(problem.GetProperty("setAside").EnumerateArray()).GetProperty("reason").GetString());

        await PostAsync($"/api/rounds/{round}/shortlist", new { by = manager, size = 2 }, 201);
        var results = await Host.GetJsonAsync($"/api/rounds/{round}/results");
        Assert.Equal([keep, evening], results.GetProperty("shortlist").EnumerateArray().Select(p => p.GetGuid()));
        // The merged priority's 9 points went nowhere: keep has only its own 8.
        Assert.Equal([(keep, 8), (evening, 7)], results.GetProperty("interim").GetProperty("combined").EnumerateArray()
            .Select(c => (c.GetProperty("priority").GetGuid(), c.GetProperty("points").GetInt32())));
        var setAside = results.GetProperty("setAside").EnumerateArray()
            .ToDictionary(s => s.GetProperty("priority").GetGuid(), s => (s.GetProperty("reason").GetString(), s.GetProperty("mergedInto").ValueKind == JsonValueKind.Null ? (Guid?)null : s.GetProperty("mergedInto").GetGuid()));
        Assert.Equal(("withdrawn", (Guid?)null), setAside[withdrawn]);
        Assert.Equal(("merged", (Guid?)keep), setAside[merged]);

        await PostAsync($"/api/rounds/{round}/workshop-rankings", new { by = manager, session = 1, smallGroup = "table", ranking = new[] { evening, keep } }, 201);
        await PostAsync($"/api/rounds/{round}/publication", new { by = manager }, 201);
        var published = (await Host.GetJsonAsync($"/api/rounds/{round}/results")).GetProperty("published").EnumerateArray().Select(p => p.GetProperty("priority").GetGuid());
        Assert.Equal([evening, keep], published);

        // History as it happened: before they left, all four counted, and the timeline keeps every move.
        var then = await Host.GetJsonAsync($"/api/rounds/{round}/results?asOf={Uri.EscapeDataString(before.ToString("O"))}");
        Assert.Equal(4, then.GetProperty("interim").GetProperty("combined").GetArrayLength());
        Assert.Empty(then.GetProperty("setAside").EnumerateArray());
        var timeline = (await Host.GetJsonAsync($"/api/rounds/{round}/timeline")).EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToArray();
        Assert.Contains("priority_withdrawn", timeline);
        Assert.Contains("priority_merged", timeline);
    }

    [Fact]
    public async Task Publishing_is_refused_while_a_shortlisted_priority_is_rejected_until_the_shortlist_is_agreed_again()
    {
        var (round, manager) = await OpenAsync("patient");
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");
        async Task<Guid> SetAsync(string statement) => await Host.CreateAsync("/api/priorities", new { statement, rationale = "r", setBy = patient, roundId = round });
        var (first, second, third) = (await SetAsync("first"), await SetAsync("second"), await SetAsync("third"));
        await PostAsync($"/api/rounds/{round}/interim-rankings", new { by = patient, ranking = new[] { first, second, third } }, 201);
        await PostAsync($"/api/rounds/{round}/shortlist", new { by = manager, size = 2 }, 201);
        await PostAsync($"/api/rounds/{round}/workshop-rankings", new { by = manager, session = 1, smallGroup = "table", ranking = new[] { second, first } }, 201);

        await Host.MoveAsync(second, "decision", new { by = manager, outcome = "rejected", rationale = "Out of scope", decisionMakers = new[] { manager }, expectedVersion = 1 });

        var refused = await Host.Scenario(s =>
        {
            s.Post.Json(new { by = manager }).ToUrl($"/api/rounds/{round}/publication");
            s.StatusCodeShouldBe(409);
        });
        Assert.Contains($"{second} (rejected)", (await refused.ReadAsJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        await PostAsync($"/api/rounds/{round}/shortlist", new { by = manager, size = 2 }, 201);
        var view = await Host.GetJsonAsync($"/api/rounds/{round}");
        Assert.Equal([first, third], view.GetProperty("shortlist").EnumerateArray().Select(p => p.GetGuid()));
        Assert.Empty(view.GetProperty("workshopRankings").EnumerateArray());
        await PostAsync($"/api/rounds/{round}/workshop-rankings", new { by = manager, session = 1, smallGroup = "table", ranking = new[] { third, first } }, 201);
        await PostAsync($"/api/rounds/{round}/publication", new { by = manager }, 201);

        var published = (await Host.GetJsonAsync($"/api/rounds/{round}/results")).GetProperty("published").EnumerateArray().Select(p => p.GetProperty("priority").GetGuid());
        Assert.Equal([third, first], published);
    }

    [Fact]
    public async Task Unknown_rounds_are_404_on_every_view()
    {
        foreach (var view in new[] { "", "/results", "/timeline", "/balance" })
        {
            await Host.GetJsonAsync($"/api/rounds/{Guid.NewGuid()}{view}", 404);
        }
    }
}
