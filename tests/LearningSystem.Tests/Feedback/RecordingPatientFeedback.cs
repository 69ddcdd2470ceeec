using Alba;

namespace LearningSystem.Tests.Feedback;

[Collection(ServiceGroup.Name)]
public sealed class RecordingPatientFeedback(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    [Fact]
    public async Task Recorded_feedback_reads_back_with_rating_and_consent()
    {
        var id = await Host.CreateAsync("/api/patient-feedback", Requests.Feedback());

        var view = await Host.GetJsonAsync($"/api/patient-feedback/{id}");

        Assert.Equal("Outpatient Diabetes Clinic", view.GetProperty("service").GetString());
        Assert.Equal("ward-survey-kiosk", view.GetProperty("source").GetString());
        Assert.Equal("poor", view.GetProperty("rating").GetString());
        Assert.Equal("kiosk-7f3a", view.GetProperty("patientRef").GetString());
        Assert.Equal(["serviceImprovement", "research"], view.GetProperty("consent").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(new DateTimeOffset(2026, 11, 18, 9, 30, 0, TimeSpan.Zero), view.GetProperty("receivedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Feedback_received_in_the_future_is_refused_and_not_stored()
    {
        var body = new
        {
            service = "Clinic", source = "kiosk", rating = "good", comment = "fine", consent = new[] { "research" },
            receivedAt = service.Clock.Now.AddDays(1),
        };

        var problem = await Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl("/api/patient-feedback");
            s.StatusCodeShouldBe(400);
            s.ContentTypeShouldBe("application/problem+json");
        });

        Assert.Contains("receivedAt", await problem.ReadAsTextAsync(), StringComparison.Ordinal);
    }
}
