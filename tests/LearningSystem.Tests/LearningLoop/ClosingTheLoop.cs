using Alba;
using LearningSystem.Tests.Priorities;

namespace LearningSystem.Tests.LearningLoop;

[Collection(ServiceGroup.Name)]
public sealed class ClosingTheLoop(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    private Task<Guid> FeedbackAsync(string service, string comment, string patientRef, params string[] consent) =>
        Host.CreateAsync("/api/patient-feedback", new
        {
            service, source = "kiosk", receivedAt = "2026-11-18T09:30:00Z", rating = "poor", comment, patientRef,
            consent = consent.Length == 0 ? ["serviceImprovement"] : consent,
        });

    [Fact]
    public async Task A_response_is_recorded_and_you_said_we_did_shows_it_with_its_change()
    {
        var service = $"Clinic {Guid.NewGuid():N}";
        var ada = await Host.ParticipantAsync("Sister Ada", "nurse");
        var feedback = await FeedbackAsync(service, "Nobody told me about the delay", $"ref-{Guid.NewGuid():N}");
        var researchOnly = await FeedbackAsync(service, "For research only", $"ref-{Guid.NewGuid():N}", "research");
        var redesign = await Host.CreateAsync("/api/service-redesigns", Requests.Redesign(ada, feedback));

        var response = await Host.Scenario(s =>
        {
            s.Post.Json(new { by = ada, text = "We will text patients when the clinic runs late.", action = "makingChange", redesignId = redesign }).ToUrl($"/api/patient-feedback/{feedback}/responses");
            s.StatusCodeShouldBe(201);
        });
        var body = await response.ReadAsJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(2, body.GetProperty("version").GetInt64());

        var view = await Host.GetJsonAsync($"/api/services/{Uri.EscapeDataString(service)}/you-said-we-did");
        var item = Assert.Single(view.GetProperty("feedback").EnumerateArray());
        Assert.Equal(feedback, item.GetProperty("feedbackId").GetGuid());
        Assert.DoesNotContain(researchOnly.ToString(), view.GetRawText(), StringComparison.Ordinal);
        var answer = Assert.Single(item.GetProperty("responses").EnumerateArray());
        Assert.Equal("We will text patients when the clinic runs late.", answer.GetProperty("text").GetString());
        Assert.Equal("Sister Ada", answer.GetProperty("byName").GetString());
        Assert.Equal(redesign, answer.GetProperty("change").GetProperty("id").GetGuid());
        Assert.Single((await Host.GetJsonAsync($"/api/patient-feedback/{feedback}")).GetProperty("responses").EnumerateArray());
    }

    [Fact]
    public async Task Responses_are_refused_for_unknown_feedback_redesigns_and_bad_input()
    {
        var ada = await Host.ParticipantAsync("Sister Ada", "nurse");
        var feedback = await FeedbackAsync("Clinic", "Slow", $"ref-{Guid.NewGuid():N}");

        async Task Refused(Guid id, object body, int status) => await Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl($"/api/patient-feedback/{id}/responses");
            s.StatusCodeShouldBe(status);
            s.ContentTypeShouldBe("application/problem+json");
        });

        await Refused(Guid.NewGuid(), new { by = ada, text = "Thanks", action = "acknowledged" }, 404);
        await Refused(feedback, new { by = ada, text = "Soon", action = "planningChange", redesignId = Guid.NewGuid() }, 404);
        await Refused(feedback, new { by = ada, text = "Soon", action = "planningChange" }, 400);
        await Refused(feedback, new { by = ada, text = "", action = "shrug" }, 400);
        await Refused(feedback, new { by = Guid.NewGuid(), text = "Thanks", action = "acknowledged" }, 404);
    }

    [Fact]
    public async Task Erasing_the_patient_erases_the_responses_to_them_too()
    {
        var service = $"Clinic {Guid.NewGuid():N}";
        var patientRef = $"ref-{Guid.NewGuid():N}";
        var ada = await Host.ParticipantAsync("Sister Ada", "nurse");
        var feedback = await FeedbackAsync(service, "Slow", patientRef);
        await Host.Scenario(s =>
        {
            s.Post.Json(new { by = ada, text = $"Sorry, {patientRef}, we will do better.", action = "acknowledged" }).ToUrl($"/api/patient-feedback/{feedback}/responses");
            s.StatusCodeShouldBe(201);
        });

        await Host.Scenario(s =>
        {
            s.Post.Json(new { reason = "Asked", legalBasis = "consentWithdrawn" }).ToUrl($"/api/patient-feedback/subjects/{patientRef}/erasure");
            s.StatusCodeShouldBe(200);
        });

        var answer = (await Host.GetJsonAsync($"/api/services/{Uri.EscapeDataString(service)}/you-said-we-did")).GetProperty("feedback")[0].GetProperty("responses")[0];
        Assert.Equal("[erased]", answer.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Open_loops_list_feedback_nobody_answered_within_the_days_given()
    {
        service.Clock.Now = TestClock.Start;
        var ada = await Host.ParticipantAsync("Sister Ada", "nurse");
        var unanswered = await FeedbackAsync("Clinic", "Anyone there?", $"ref-{Guid.NewGuid():N}");
        var answered = await FeedbackAsync("Clinic", "Slow", $"ref-{Guid.NewGuid():N}");
        await Host.Scenario(s =>
        {
            s.Post.Json(new { by = ada, text = "Thank you", action = "acknowledged" }).ToUrl($"/api/patient-feedback/{answered}/responses");
            s.StatusCodeShouldBe(201);
        });

        // Received on 18 November; the clock says 20 November.
        var afterOneDay = await Host.GetJsonAsync("/api/open-loops?days=1");
        var ids = afterOneDay.GetProperty("feedbackWithoutResponse").EnumerateArray().Select(f => f.GetProperty("id").GetGuid()).ToArray();
        Assert.Contains(unanswered, ids);
        Assert.DoesNotContain(answered, ids);
        Assert.Equal(1, afterOneDay.GetProperty("responseDays").GetInt32());

        var byDefault = await Host.GetJsonAsync("/api/open-loops");
        Assert.Equal(14, byDefault.GetProperty("responseDays").GetInt32());
        Assert.DoesNotContain(unanswered, byDefault.GetProperty("feedbackWithoutResponse").EnumerateArray().Select(f => f.GetProperty("id").GetGuid()));
        await Host.GetJsonAsync("/api/open-loops?days=-1", 400);
        await Host.GetJsonAsync("/api/open-loops?days=soon", 400);
    }
}
