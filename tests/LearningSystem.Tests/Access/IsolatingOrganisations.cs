using System.Net;
using System.Net.Http.Json;

namespace LearningSystem.Tests.Access;

/// <summary>
/// A client granted one organisation never reads, lists, exports or writes another's data: naming the other
/// organisation is refused, and acting for its own it finds none of the other's.
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed class IsolatingOrganisations(ServiceFixture service)
{
    [Fact]
    public async Task Another_organisations_data_is_out_of_reach_in_every_endpoint_family()
    {
        var (story, organisation) = await service.PlayJennysStoryAsync("isolated");
        var decision = (await service.Host.GetJsonAsync($"/api/priorities/{story.AgreedPriority}", organisation: organisation))
            .GetProperty("decision").GetProperty("id").GetGuid();
        using var owner = service.ClientFor("tests", organisation);
        var webhook = (await (await owner.PostAsJsonAsync("/api/webhooks", new { url = "https://isolated.example.org/hooks", topics = new[] { "decision-made" } }))
            .Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
        string[] reads =
        [
            $"/api/participants/{story.People["jenny"]}", $"/api/participants/{story.People["jenny"]}/priorities",
            $"/api/patient-feedback/{story.FirstFeedback}", "/api/patient-feedback",
            "/api/priorities", $"/api/priorities/{story.AgreedPriority}", $"/api/priorities/{story.AgreedPriority}/provenance",
            $"/api/priorities/{story.AgreedPriority}/replay",
            $"/api/rounds/{story.Round}", $"/api/rounds/{story.Round}/results", $"/api/rounds/{story.Round}/balance",
            $"/api/rounds/{story.Round}/timeline", $"/api/rounds/{story.Round}/replay", $"/api/rounds/{story.Round}/rescoring",
            $"/api/rounds/{story.Round}/results.csv", $"/api/rounds/{story.Round}/balance.csv", $"/api/export/priorities.csv?roundId={story.Round}",
            $"/api/service-redesigns/{story.Redesign}", "/api/services/Outpatient%20Diabetes%20Clinic/you-said-we-did",
            "/api/curriculum-changes", $"/api/curriculum-changes/{story.CurriculumChange}", $"/api/curriculum-changes/{story.CurriculumChange}/reflections",
            $"/api/reflections/{story.Reflections[0]}", "/api/lessons", $"/api/lessons/{story.Lessons[0]}",
            $"/api/lineage/{story.FirstFeedback}", "/api/open-loops", $"/api/streams/{story.AgreedPriority}/events",
            $"/api/decisions/{decision}/provenance", $"/api/decisions/{decision}/provenance/text", $"/api/decisions/{decision}/prov",
            $"/api/decisions/{decision}/fhir", "/api/export/events", "/api/audit/verify",
            "/api/audit/checkpoints", "/api/webhooks", $"/api/webhooks/{webhook}/deliveries",
        ];
        var secrets = new[] { story.AgreedPriority, story.Round, story.Redesign, story.CurriculumChange, story.FirstFeedback, story.People["jenny"], decision }
            .Append(webhook).Select(id => id.ToString()).Append("Tell patients, on arrival").Append("communication").Append("isolated.example.org").ToArray();
        using var other = service.ClientFor("general-hospital-epr");
        using var naming = service.ClientFor("general-hospital-epr", organisation);

        foreach (var url in reads)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await naming.GetAsync(new Uri(url, UriKind.Relative))).StatusCode);
            using var own = await other.GetAsync(new Uri(url, UriKind.Relative));
            var body = await own.Content.ReadAsStringAsync();
            // A 404 may echo the id asked for; an answer must hold nothing of the other organisation's.
            Assert.True(own.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.OK, $"{url}: {own.StatusCode}");
            if (own.StatusCode == HttpStatusCode.OK)
            {
                Assert.All(secrets, secret => Assert.DoesNotContain(secret, body, StringComparison.Ordinal));
            }
        }

        var before = await service.EventCountAsync();
        var endorsement = new { by = story.People["jenny"], comment = "From elsewhere" };
        Assert.Equal(HttpStatusCode.Forbidden, (await naming.PostAsJsonAsync($"/api/priorities/{story.AgreedPriority}/endorsements", endorsement)).StatusCode);
        // Acting for its own organisation, the other's proposal and participants do not exist.
        (string Url, object Body)[] writes =
        [
            ($"/api/priorities/{story.AgreedPriority}/endorsements", endorsement),
            ($"/api/service-redesigns/{story.Redesign}/objections", new { by = story.People["jenny"], reason = "From elsewhere" }),
            ($"/api/patient-feedback/{story.FirstFeedback}/responses", new { by = story.People["jenny"], text = "From elsewhere" }),
            ($"/api/curriculum-changes/{story.CurriculumChange}/reflections", new { by = story.People["jenny"], learned = "x", taught = "y" }),
        ];
        foreach (var (url, body) in writes)
        {
            var status = (await other.PostAsJsonAsync(url, body)).StatusCode;
            Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{url}: {status}");
        }

        Assert.Equal(before, await service.EventCountAsync());
    }
}
