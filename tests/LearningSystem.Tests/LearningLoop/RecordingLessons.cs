using Alba;
using LearningSystem.Tests.Priorities;

namespace LearningSystem.Tests.LearningLoop;

[Collection(ServiceGroup.Name)]
public sealed class RecordingLessons(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    [Fact]
    public async Task A_lesson_about_a_redesign_backed_by_feedback_is_listed_by_service_group_and_item()
    {
        var serviceName = $"Clinic {Guid.NewGuid():N}";
        var ada = await Host.ParticipantAsync("Sister Ada", "nurse");
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var feedback = await Host.CreateAsync("/api/patient-feedback", Requests.Feedback());
        var redesign = await Host.CreateAsync("/api/service-redesigns", Requests.Redesign(jenny, feedback));

        var nurseLesson = await Host.CreateAsync("/api/lessons", new { by = ada, about = redesign, service = serviceName, text = "Patients mind not knowing more than waiting.", evidence = new[] { feedback } });
        var studentLesson = await Host.CreateAsync("/api/lessons", new { by = jenny, about = nurseLesson, service = serviceName, text = "Ask the nurses first." });

        var view = await Host.GetJsonAsync($"/api/lessons/{nurseLesson}");
        Assert.Equal(redesign, view.GetProperty("about").GetGuid());
        Assert.Equal([feedback], view.GetProperty("evidence").EnumerateArray().Select(e => e.GetGuid()));
        Assert.Equal("nurse", view.GetProperty("byGroup").GetString());

        Guid[] Ids(System.Text.Json.JsonElement list) => list.EnumerateArray().Select(l => l.GetProperty("id").GetGuid()).ToArray();
        Assert.Equal([nurseLesson, studentLesson], Ids(await Host.GetJsonAsync($"/api/lessons?service={Uri.EscapeDataString(serviceName)}")));
        Assert.Equal([studentLesson], Ids(await Host.GetJsonAsync($"/api/lessons?service={Uri.EscapeDataString(serviceName)}&group=student")));
        Assert.Equal([nurseLesson], Ids(await Host.GetJsonAsync($"/api/lessons?about={redesign}")));
    }

    [Fact]
    public async Task Lessons_about_or_backed_by_unknown_items_are_404_and_bad_input_400()
    {
        var ada = await Host.ParticipantAsync("Sister Ada", "nurse");
        var feedback = await Host.CreateAsync("/api/patient-feedback", Requests.Feedback());

        async Task Refused(object body, int status) => await Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl("/api/lessons");
            s.StatusCodeShouldBe(status);
            s.ContentTypeShouldBe("application/problem+json");
        });

        await Refused(new { by = ada, about = Guid.NewGuid(), text = "x" }, 404);
        await Refused(new { by = ada, about = feedback, text = "x", evidence = new[] { Guid.NewGuid() } }, 404);
        await Refused(new { by = Guid.NewGuid(), about = feedback, text = "x" }, 404);
        await Refused(new { by = ada, about = feedback }, 400);
        await Host.GetJsonAsync("/api/lessons?group=wizards", 400);
        await Host.GetJsonAsync($"/api/lessons/{Guid.NewGuid()}", 404);
    }

    [Fact]
    public async Task Another_organisations_items_cannot_be_learned_about()
    {
        var theirs = await Host.CreateAsync("/api/patient-feedback", Requests.Feedback(), organisation: "trust-x");
        var ada = await Host.ParticipantAsync("Sister Ada", "nurse");

        await Host.Scenario(s =>
        {
            s.Post.Json(new { by = ada, about = theirs, text = "x" }).ToUrl("/api/lessons");
            s.StatusCodeShouldBe(404);
        });
    }
}
