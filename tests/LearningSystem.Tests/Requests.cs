using System.Text.Json;
using Alba;

namespace LearningSystem.Tests;

/// <summary>The requests the scenarios repeat: register, record and propose, each answering the new id.</summary>
public static class Requests
{
    public static object Jenny => new { displayName = "Jenny", stakeholderGroup = "student", organisationRole = "Year 3 medical student" };

    public static object Feedback(string comment = "I waited two hours and nobody told me why.") => new
    {
        service = "Outpatient Diabetes Clinic",
        source = "ward-survey-kiosk",
        receivedAt = "2026-11-18T09:30:00Z",
        rating = "poor",
        comment,
        patientRef = "kiosk-7f3a",
        consent = new[] { "serviceImprovement", "research" },
    };

    public static object Redesign(Guid proposedBy, params Guid[] evidence) => new
    {
        title = "Tell waiting patients about delays",
        problem = "Patients wait without knowing why or for how long.",
        proposedChange = "Send a text message when a clinic runs more than 30 minutes late.",
        service = "Outpatient Diabetes Clinic",
        proposedBy,
        evidence,
    };

    public static async Task<Guid> CreateAsync(this IAlbaHost host, string url, object body, string? organisation = null)
    {
        var result = await host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl(url);
            if (organisation is not null)
            {
                s.WithRequestHeader("X-Organisation", organisation);
            }

            s.StatusCodeShouldBe(201);
        });
        return (await result.ReadAsJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>The body as text and its content type, whatever the media type.</summary>
    public static async Task<(string Text, string ContentType)> GetTextAsync(this IAlbaHost host, string url, string? organisation = null)
    {
        var result = await host.Scenario(s =>
        {
            s.Get.Url(url);
            if (organisation is not null)
            {
                s.WithRequestHeader("X-Organisation", organisation);
            }
        });
        return (await result.ReadAsTextAsync(), result.Context.Response.ContentType!);
    }

    public static async Task<JsonElement> GetJsonAsync(this IAlbaHost host, string url, int status = 200, string? organisation = null)
    {
        var result = await host.Scenario(s =>
        {
            s.Get.Url(url);
            if (organisation is not null)
            {
                s.WithRequestHeader("X-Organisation", organisation);
            }

            s.StatusCodeShouldBe(status);
        });
        return await result.ReadAsJsonAsync<JsonElement>();
    }
}
