using System.Net.Http.Json;
using System.Text.Json;

namespace JennysStory;

/// <summary>
/// Jenny, a medical student, wants to involve patients in redesigning a service. She registers, a patient's
/// feedback arrives from the ward's survey system, and she proposes a redesign that cites it.
/// </summary>
public static class Story
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly string[] ServiceImprovementOnly = ["serviceImprovement"];

    public static async Task<JsonElement> PlayAsync(HttpClient client, TextWriter narration, CancellationToken ct = default)
    {
        var jenny = await PostAsync(client, "/api/participants", new
        {
            displayName = "Jenny",
            stakeholderGroup = "student",
            organisationRole = "Year 3 medical student",
        }, ct);
        narration.WriteLine($"Jenny registered as participant {jenny}.");

        var patient = await PostAsync(client, "/api/participants", new
        {
            displayName = "Mr Okafor",
            stakeholderGroup = "patient",
        }, ct);
        narration.WriteLine($"A patient registered as participant {patient}.");

        var feedback = await PostAsync(client, "/api/patient-feedback", new
        {
            service = "Outpatient Diabetes Clinic",
            source = "ward-survey-kiosk",
            receivedAt = new DateTimeOffset(2026, 11, 18, 9, 30, 0, TimeSpan.Zero),
            rating = "poor",
            comment = "I waited two hours and nobody told me why. A text message would have helped.",
            patientRef = "kiosk-7f3a",
            consent = ServiceImprovementOnly,
        }, ct);
        narration.WriteLine($"Patient feedback {feedback} was recorded.");

        var redesign = await PostAsync(client, "/api/service-redesigns", new
        {
            title = "Tell waiting patients about delays",
            problem = "Patients wait without knowing why or for how long.",
            proposedChange = "Send a text message when a clinic runs more than 30 minutes late, co-designed with patients.",
            service = "Outpatient Diabetes Clinic",
            proposedBy = jenny,
            evidence = new[] { feedback },
        }, ct);
        narration.WriteLine($"Jenny proposed service redesign {redesign}.");

        var view = await client.GetFromJsonAsync<JsonElement>($"/api/service-redesigns/{redesign}", ct);
        narration.WriteLine(JsonSerializer.Serialize(view, Indented));
        return view;
    }

    private static async Task<Guid> PostAsync(HttpClient client, string path, object body, CancellationToken ct)
    {
        using var response = await client.PostAsJsonAsync(path, body, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }

        var created = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return created.GetProperty("id").GetGuid();
    }
}
