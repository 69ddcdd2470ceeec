using System.Text.Json;
using Alba;

namespace LearningSystem.Tests.Participants;

[Collection(ServiceGroup.Name)]
public sealed class RegisteringParticipants(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    [Fact]
    public async Task Registering_answers_201_with_location_id_and_version()
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(Requests.Jenny).ToUrl("/api/participants");
            s.StatusCodeShouldBe(201);
        });

        var body = await result.ReadAsJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal(1, body.GetProperty("version").GetInt64());
        Assert.Equal($"/api/participants/{id}", result.Context.Response.Headers.Location.ToString());
    }

    [Fact]
    public async Task The_participant_view_shows_what_was_registered()
    {
        var id = await Host.CreateAsync("/api/participants", Requests.Jenny);

        var view = await Host.GetJsonAsync($"/api/participants/{id}");

        Assert.Equal(id, view.GetProperty("id").GetGuid());
        Assert.Equal("Jenny", view.GetProperty("displayName").GetString());
        Assert.Equal("student", view.GetProperty("stakeholderGroup").GetString());
        Assert.Equal("Year 3 medical student", view.GetProperty("organisationRole").GetString());
        Assert.Equal(1, view.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Every_stakeholder_group_is_accepted()
    {
        foreach (var group in new[] { "patient", "carer", "clinician", "nurse", "alliedHealthProfessional", "student", "educator", "manager", "researcher", "other" })
        {
            var id = await Host.CreateAsync("/api/participants", new { displayName = $"A {group}", stakeholderGroup = group });
            var view = await Host.GetJsonAsync($"/api/participants/{id}");
            Assert.Equal(group, view.GetProperty("stakeholderGroup").GetString());
        }
    }

    [Fact]
    public async Task An_unknown_participant_is_404_problem()
    {
        var problem = await Host.GetJsonAsync($"/api/participants/{Guid.NewGuid()}", 404);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }
}
