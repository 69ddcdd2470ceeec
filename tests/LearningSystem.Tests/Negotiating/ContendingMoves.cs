using System.Net;
using System.Text;
using System.Text.Json;
using Alba;
using LearningSystem.Tests.Priorities;

namespace LearningSystem.Tests.Negotiating;

/// <summary>Many participants moving on one proposal at once: moves that need no version all succeed, and stale versions say the current one.</summary>
[Collection(ServiceGroup.Name)]
public sealed class ContendingMoves(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    [Fact]
    public async Task Sixty_four_participants_endorsing_at_once_without_a_version_all_succeed()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var priority = await Host.SetPriorityAsync(jenny);
        var people = new List<Guid>();
        for (var i = 0; i < 64; i++)
        {
            people.Add(await Host.ParticipantAsync($"Patient {i}", "patient"));
        }

        using var http = service.ClientFor();
        var answers = await Task.WhenAll(people.Select(async p =>
        {
            using var response = await http.PostAsync($"/api/priorities/{priority}/endorsements", Json(new { by = p }));
            return response.StatusCode;
        }));

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.Created, status));
        var view = await Host.GetJsonAsync($"/api/priorities/{priority}");
        Assert.Equal(people.Order(), view.GetProperty("negotiation").GetProperty("endorsedBy").EnumerateArray().Select(e => e.GetGuid()).Order());
        Assert.Equal(65, view.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Sixty_four_respondents_ranking_at_once_all_succeed_as_different_people_need_no_order()
    {
        var manager = await Host.ParticipantAsync("Ms Brown", "manager");
        var round = await Host.CreateAsync("/api/rounds", new { question = "What first?", scope = "The clinic", requiredGroups = new[] { "patient" }, by = manager });
        var first = await Host.CreateAsync("/api/priorities", new { statement = "Tell patients", rationale = "r", setBy = manager, roundId = round });
        var second = await Host.CreateAsync("/api/priorities", new { statement = "Text patients", rationale = "r", setBy = manager, roundId = round });
        var people = new List<Guid>();
        for (var i = 0; i < 64; i++)
        {
            people.Add(await Host.ParticipantAsync($"Patient {i}", "patient"));
        }

        using var http = service.ClientFor();
        var answers = await Task.WhenAll(people.Select(async (p, i) =>
        {
            using var response = await http.PostAsync($"/api/rounds/{round}/interim-rankings", Json(new { by = p, ranking = i % 2 == 0 ? new[] { first, second } : [second, first] }));
            return response.StatusCode;
        }));

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.Created, status));
        Assert.Equal(2 + 64 + 1, (await Host.GetJsonAsync($"/api/rounds/{round}")).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task In_a_race_at_one_version_one_wins_and_every_loser_is_told_the_current_version()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var priority = await Host.SetPriorityAsync(jenny);
        var people = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            people.Add(await Host.ParticipantAsync($"Nurse {i}", "nurse"));
        }

        using var http = service.ClientFor();
        var answers = await Task.WhenAll(people.Select(async (p, i) =>
        {
            using var response = await http.PostAsync($"/api/priorities/{priority}/amendments",
                Json(new { by = p, wording = $"Wording {i}", reason = "Clearer", expectedVersion = 1 }));
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        var losers = answers.Where(a => a.StatusCode != HttpStatusCode.Created).ToArray();
        Assert.Equal(19, losers.Length);
        Assert.All(losers, loser =>
        {
            Assert.Equal(HttpStatusCode.Conflict, loser.StatusCode);
            Assert.Equal(2, JsonDocument.Parse(loser.Body).RootElement.GetProperty("currentVersion").GetInt64());
        });
    }
}
