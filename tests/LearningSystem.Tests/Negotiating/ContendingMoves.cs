using System.Net;
using System.Net.Http.Json;
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
        Assert.Equal(64, view.GetProperty("negotiation").GetProperty("endorsements").GetInt32());
        var endorsements = await Host.GetJsonAsync($"/api/priorities/{priority}/endorsements");
        Assert.Equal(people.Order(), endorsements.EnumerateArray().Select(e => e.GetProperty("by").GetGuid()).Order());
        Assert.Equal(Enumerable.Range(2, 64).Select(v => (long)v), endorsements.EnumerateArray().Select(e => e.GetProperty("version").GetInt64()));
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
    public async Task One_participant_endorsing_sixteen_times_at_once_endorses_once_and_the_rest_are_told_so()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var priority = await Host.SetPriorityAsync(jenny);
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");

        using var http = service.ClientFor();
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var response = await http.PostAsync($"/api/priorities/{priority}/endorsements", Json(new { by = patient }));
            return response.StatusCode;
        }));

        Assert.Single(answers, a => a == HttpStatusCode.Created);
        Assert.Equal(15, answers.Count(a => a == HttpStatusCode.Conflict));
        Assert.Equal(1, (await Host.GetJsonAsync($"/api/priorities/{priority}")).GetProperty("negotiation").GetProperty("endorsements").GetInt32());
        Assert.Single((await Host.GetJsonAsync($"/api/priorities/{priority}/endorsements")).EnumerateArray());
    }

    [Fact]
    public async Task A_respondent_ranking_eight_times_at_once_is_one_respondent_with_a_first_ranking_and_seven_corrections()
    {
        var manager = await Host.ParticipantAsync("Ms Brown", "manager");
        var round = await Host.CreateAsync("/api/rounds", new { question = "What first?", scope = "The clinic", requiredGroups = new[] { "patient" }, by = manager });
        var first = await Host.CreateAsync("/api/priorities", new { statement = "Tell patients", rationale = "r", setBy = manager, roundId = round });
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");

        using var http = service.ClientFor();
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await http.PostAsync($"/api/rounds/{round}/interim-rankings", Json(new { by = patient, ranking = new[] { first } }));
            return response.StatusCode;
        }));

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.Created, status));
        Assert.Equal(1, (await Host.GetJsonAsync($"/api/rounds/{round}")).GetProperty("respondents").GetInt32());
        var history = await Host.GetJsonAsync($"/api/streams/{round}/events");
        Assert.Equal([false, true, true, true, true, true, true, true], history.EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "interim_ranking_submitted").Select(e => e.GetProperty("data").GetProperty("correction").GetBoolean()));
    }

    [Fact]
    public async Task Endorsements_objections_and_rankings_are_read_a_page_at_a_time_in_the_order_they_were_made()
    {
        var manager = await Host.ParticipantAsync("Ms Brown", "manager");
        var round = await Host.CreateAsync("/api/rounds", new { question = "What first?", scope = "The clinic", requiredGroups = new[] { "patient" }, by = manager });
        var priority = await Host.CreateAsync("/api/priorities", new { statement = "Tell patients", rationale = "r", setBy = manager, roundId = round });
        var people = new List<Guid>();
        using var http = service.ClientFor();
        for (var i = 0; i < 5; i++)
        {
            var person = await Host.ParticipantAsync($"Patient {i}", "patient");
            people.Add(person);
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsync($"/api/priorities/{priority}/endorsements", Json(new { by = person }))).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsync($"/api/rounds/{round}/interim-rankings", Json(new { by = person, ranking = new[] { priority } }))).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsync($"/api/priorities/{priority}/objections", Json(new { by = person, reason = $"Objection {i}" }))).StatusCode);
        }

        foreach (var list in new[] { $"/api/priorities/{priority}/endorsements", $"/api/priorities/{priority}/objections", $"/api/rounds/{round}/interim-rankings" })
        {
            var seen = new List<Guid>();
            for (var url = $"{list}?limit=2"; url is not null;)
            {
                using var page = await http.GetAsync(new Uri(url, UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                var items = (await page.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToArray();
                Assert.InRange(items.Length, 1, 2);
                seen.AddRange(items.Select(i => i.GetProperty("by").GetGuid()));
                url = page.Headers.TryGetValues("Link", out var links) ? links.Single().Split(';')[0].Trim('<', '>', ' ') : null;
            }

            Assert.Equal(people, seen);
        }

        await Host.GetJsonAsync($"/api/priorities/{Guid.NewGuid()}/endorsements", 404);
        await Host.GetJsonAsync($"/api/rounds/{Guid.NewGuid()}/interim-rankings", 404);
        await Host.GetJsonAsync($"/api/priorities/{priority}/endorsements?limit=0", 400);
        // A priority's endorsements are not a service redesign's, whatever the id.
        await Host.GetJsonAsync($"/api/service-redesigns/{priority}/endorsements", 404);
        await Host.GetJsonAsync($"/api/service-redesigns/{priority}/objections", 404);
        await Host.GetJsonAsync($"/api/priorities/{priority}/objections?limit=1001", 400);
        Assert.Equal(5, (await Host.GetJsonAsync($"/api/priorities/{priority}")).GetProperty("negotiation").GetProperty("objectionsRaised").GetInt32());
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
