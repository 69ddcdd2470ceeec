using System.Text.Json;
using Alba;

namespace LearningSystem.Tests.PersonalData;

[Collection(ServiceGroup.Name)]
public sealed class KeepingConsent(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    [Fact]
    public async Task A_participant_changes_consent_and_each_change_is_one_event()
    {
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny);
        Assert.Equal(["serviceImprovement"], Consent(await Host.GetJsonAsync($"/api/participants/{jenny}")));

        var changed = await ChangeConsentAsync(jenny, ["research", "serviceImprovement"]);
        var repeated = await ChangeConsentAsync(jenny, ["serviceImprovement", "research"]);

        Assert.Equal(2, changed.GetProperty("version").GetInt64());
        Assert.Equal(2, repeated.GetProperty("version").GetInt64());
        Assert.Equal(["serviceImprovement", "research"], Consent(await Host.GetJsonAsync($"/api/participants/{jenny}")));
        var history = await Host.GetJsonAsync($"/api/streams/{jenny}/events");
        Assert.Equal(["participant_registered", "participant_consent_changed"], history.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task An_erased_participant_cannot_consent()
    {
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny);
        await Host.Scenario(s =>
        {
            s.Post.Json(new { reason = "Asked to leave", legalBasis = "consentWithdrawn" }).ToUrl($"/api/participants/{jenny}/erasure");
            s.StatusCodeShouldBe(200);
        });

        await Host.Scenario(s =>
        {
            s.Put.Json(new { consent = new[] { "research" } }).ToUrl($"/api/participants/{jenny}/consent");
            s.StatusCodeShouldBe(409);
            s.ContentTypeShouldBe("application/problem+json");
        });
    }

    [Fact]
    public async Task Consent_for_an_unknown_participant_is_404() =>
        await Host.Scenario(s =>
        {
            s.Put.Json(new { consent = new[] { "research" } }).ToUrl($"/api/participants/{Guid.NewGuid()}/consent");
            s.StatusCodeShouldBe(404);
        });

    [Fact]
    public async Task Feedback_for_a_purpose_lists_only_what_was_consented_to_it()
    {
        var service = $"Ward {Guid.NewGuid():N}";
        var improvement = await RecordAsync(service, "serviceImprovement");
        var research = await RecordAsync(service, "research");
        var both = await RecordAsync(service, "research", "serviceImprovement");

        Assert.Equal(new[] { improvement, both }.Order(), await ListAsync($"/api/patient-feedback?service={Uri.EscapeDataString(service)}"));
        Assert.Equal(new[] { improvement, both }.Order(), await ListAsync($"/api/patient-feedback?service={Uri.EscapeDataString(service)}&purpose=serviceImprovement"));
        Assert.Equal(new[] { research, both }.Order(), await ListAsync($"/api/patient-feedback?service={Uri.EscapeDataString(service)}&purpose=research"));
        Assert.Empty(await ListAsync($"/api/patient-feedback?service={Uri.EscapeDataString(service)}&purpose=publication"));
    }

    [Fact]
    public async Task Listed_feedback_is_read_in_clear()
    {
        var service = $"Ward {Guid.NewGuid():N}";
        await RecordAsync(service, "serviceImprovement");

        var listed = await Host.GetJsonAsync($"/api/patient-feedback?service={Uri.EscapeDataString(service)}");

        Assert.Equal("Consented for serviceImprovement", listed[0].GetProperty("comment").GetString());
    }

    [Fact]
    public async Task An_unknown_purpose_is_400() =>
        await Host.GetJsonAsync("/api/patient-feedback?purpose=marketing", 400);

    [Fact]
    public async Task Feedback_not_consented_for_service_improvement_cannot_be_evidence()
    {
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny);
        var researchOnly = await RecordAsync("Clinic", "research");

        await Host.Scenario(s =>
        {
            s.Post.Json(Requests.Redesign(jenny, researchOnly)).ToUrl("/api/service-redesigns");
            s.StatusCodeShouldBe(400);
        });
    }

    private static string[] Consent(JsonElement participant) =>
        participant.GetProperty("consent").EnumerateArray().Select(c => c.GetString()!).ToArray();

    private async Task<JsonElement> ChangeConsentAsync(Guid participant, string[] consent)
    {
        var result = await Host.Scenario(s =>
        {
            s.Put.Json(new { consent }).ToUrl($"/api/participants/{participant}/consent");
            s.StatusCodeShouldBe(200);
        });
        return await result.ReadAsJsonAsync<JsonElement>();
    }

    private Task<Guid> RecordAsync(string service, params string[] consent) =>
        Host.CreateAsync("/api/patient-feedback", new
        {
            service,
            source = "kiosk",
            receivedAt = "2026-11-18T09:30:00Z",
            rating = "good",
            comment = $"Consented for {string.Join(" and ", consent)}",
            consent,
        });

    private async Task<Guid[]> ListAsync(string url) =>
        (await Host.GetJsonAsync(url)).EnumerateArray().Select(f => f.GetProperty("id").GetGuid()).Order().ToArray();
}
