using Alba;
using JennysStory;

namespace LearningSystem.Tests.History;

/// <summary>What an analyst does with Jenny's round: travel back, replay step by step, re-score under other rules.</summary>
[Collection(ServiceGroup.Name)]
public sealed class ReplayingHistories(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    private Task<(StoryOutcome Outcome, string Organisation)> StoryAsync() => service.PlayJennysStoryAsync("analysis");

    [Fact]
    public async Task A_priority_answers_as_it_stood_before_and_after_its_amendment()
    {
        var (outcome, organisation) = await StoryAsync();
        var url = $"/api/priorities/{outcome.AgreedPriority}";

        var before = await Host.GetJsonAsync($"{url}?version=4", organisation: organisation);
        var after = await Host.GetJsonAsync($"{url}?version=5", organisation: organisation);
        var now = await Host.GetJsonAsync(url, organisation: organisation);

        Assert.Equal(("Tell patients how long they will wait", 4L), (before.GetProperty("statement").GetString(), before.GetProperty("version").GetInt64()));
        Assert.Equal("Tell patients, on arrival and by text, how long they will wait", after.GetProperty("statement").GetString());
        Assert.Equal(1, before.GetProperty("negotiation").GetProperty("objectionsRaised").GetInt32());
        Assert.True(Assert.Single((await Host.GetJsonAsync($"{url}/objections?version=4", organisation: organisation)).EnumerateArray()).GetProperty("open").GetBoolean());
        Assert.Equal(1, before.GetProperty("negotiation").GetProperty("endorsements").GetInt32());
        Assert.Equal("open", after.GetProperty("status").GetString());
        Assert.Equal("decided", now.GetProperty("status").GetString());

        var beforeItWasSet = TestClock.Start.AddDays(-1).ToString("O");
        await Host.GetJsonAsync($"{url}?asOf={Uri.EscapeDataString(beforeItWasSet)}", 404, organisation);
        await Host.GetJsonAsync($"{url}?version=0", 400, organisation);
        var asOfNow = await Host.GetJsonAsync($"{url}?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}", organisation: organisation);
        Assert.Equal(now.GetProperty("version").GetInt64(), asOfNow.GetProperty("version").GetInt64());

        // The objections folded from the history to now are the objections' documents as they stand.
        var objectionsNow = await Host.GetJsonAsync($"{url}/objections", organisation: organisation);
        var objectionsAsOfNow = await Host.GetJsonAsync($"{url}/objections?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}", organisation: organisation);
        Assert.Equal(objectionsNow.GetRawText(), objectionsAsOfNow.GetRawText());
        await Host.GetJsonAsync($"{url}/objections?version=0", 400, organisation);
        await Host.GetJsonAsync($"{url}/objections?asOf={Uri.EscapeDataString(beforeItWasSet)}", 404, organisation);
    }

    [Fact]
    public async Task Jennys_round_replays_step_by_step_with_who_when_why_and_the_state_after()
    {
        var (outcome, organisation) = await StoryAsync();

        var steps = (await Host.GetJsonAsync($"/api/rounds/{outcome.Round}/replay", organisation: organisation)).EnumerateArray().ToArray();

        Assert.Equal("round_opened", steps[0].GetProperty("type").GetString());
        Assert.Equal("published", steps[^1].GetProperty("after").GetProperty("stage").GetString());
        var sequences = steps.Select(s => s.GetProperty("sequence").GetInt64()).ToArray();
        Assert.Equal(sequences.Order(), sequences);
        var amendment = steps.Single(s => s.GetProperty("move").GetString() == "amendmentProposed");
        Assert.Equal(("patient", outcome.People["okafor"]), (amendment.GetProperty("group").GetString(), amendment.GetProperty("by").GetGuid()));
        Assert.StartsWith("Covers my text-message idea", amendment.GetProperty("why").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("amendmentProposed: \"Tell patients, on arrival", amendment.GetProperty("after").GetProperty("change").GetString(), StringComparison.Ordinal);
        Assert.Equal(5, steps.Last(s => s.GetProperty("move").GetString() == "ranked").GetProperty("after").GetProperty("interimRankings").GetInt32());

        var priority = (await Host.GetJsonAsync($"/api/priorities/{outcome.AgreedPriority}/replay", organisation: organisation)).EnumerateArray().ToArray();
        Assert.Equal(Enumerable.Range(1, priority.Length).Select(v => (long)v), priority.Select(s => s.GetProperty("after").GetProperty("version").GetInt64()));
        Assert.Equal("decided", priority[^1].GetProperty("after").GetProperty("status").GetString());
        await Host.GetJsonAsync($"/api/rounds/{Guid.NewGuid()}/replay", 404, organisation);
    }

    [Fact]
    public async Task Jennys_round_re_scored_without_the_clinicians_says_which_rule_it_used_and_changes_nothing()
    {
        var (outcome, organisation) = await StoryAsync();
        var before = await service.EventCountAsync();

        var original = await Host.GetJsonAsync($"/api/rounds/{outcome.Round}/rescoring", organisation: organisation);
        var withoutClinicians = await Host.GetJsonAsync($"/api/rounds/{outcome.Round}/rescoring?withoutGroup=clinician", organisation: organisation);
        var unweighted = await Host.GetJsonAsync($"/api/rounds/{outcome.Round}/rescoring?rule=unweighted", organisation: organisation);
        var onlyPatients = await Host.GetJsonAsync($"/api/rounds/{outcome.Round}/rescoring?onlyGroup=patient", organisation: organisation);

        Assert.Contains("without the clinician group's rankings", withoutClinicians.GetProperty("rule").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, withoutClinicians.GetProperty("respondents").GetInt32());
        Assert.DoesNotContain(withoutClinicians.GetProperty("groups").EnumerateArray(), g => g.GetProperty("group").GetString() == "clinician");
        Assert.All(original.GetProperty("order").EnumerateArray(), p => Assert.Equal(p.GetProperty("position").GetInt32(), p.GetProperty("originalPosition").GetInt32()));
        Assert.Equal(outcome.AgreedPriority, withoutClinicians.GetProperty("order")[0].GetProperty("priority").GetGuid());
        Assert.StartsWith("unweighted", unweighted.GetProperty("rule").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, onlyPatients.GetProperty("respondents").GetInt32());
        Assert.Equal(outcome.AgreedPriority, onlyPatients.GetProperty("order")[0].GetProperty("priority").GetGuid());

        var asOfStart = await Host.GetJsonAsync($"/api/rounds/{outcome.Round}/rescoring?asOf={Uri.EscapeDataString(TestClock.Start.AddDays(-1).ToString("O"))}", 404, organisation);
        Assert.Equal(404, asOfStart.GetProperty("status").GetInt32());
        await Host.GetJsonAsync($"/api/rounds/{outcome.Round}/rescoring?rule=borda", 400, organisation);
        await Host.GetJsonAsync($"/api/rounds/{outcome.Round}/rescoring?withoutGroup=aliens", 400, organisation);
        Assert.Equal(before, await service.EventCountAsync());
    }
}
