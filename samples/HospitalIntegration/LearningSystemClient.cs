using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HospitalIntegration;

// What a hospital system sends and reads, as the API names it (camelCase JSON, enums as camelCase strings).

public sealed record FeedbackToRecord(
    string Service, string Source, DateTimeOffset ReceivedAt, string Rating, string Comment, string? PatientRef, IReadOnlyList<string> Consent);

public sealed record FeedbackResponseToRecord(Guid By, string Text, string Action, Guid? RedesignId = null);

public sealed record ParticipantToRegister(string DisplayName, string StakeholderGroup, string OrganisationRole, IReadOnlyList<string>? Consent = null);

public sealed record Created(Guid Id, long Version);

public sealed record Accepted(long Version, Guid? Id);

public sealed record FeedbackResponseView(Guid Id, Guid By, string ByGroup, string Action, Guid? RedesignId, DateTimeOffset At);

public sealed record PatientFeedbackView(
    Guid Id, string Service, string Source, DateTimeOffset ReceivedAt, string Rating, string Comment, string? PatientRef,
    IReadOnlyList<string> Consent, long Version, IReadOnlyList<FeedbackResponseView> Responses);

public sealed record Subscription(Guid Id, string Secret, IReadOnlyList<string> Topics);

public sealed record DeliveryAttempt(DateTimeOffset At, int? Status, string? Error);

public sealed record Notification(string Topic, string Organisation, Guid StreamId, Guid EventId, long Sequence, DateTimeOffset OccurredAt, string Link);

public sealed record Delivery(Guid Id, Guid SubscriptionId, Notification Notification, IReadOnlyList<DeliveryAttempt> Attempts, DateTimeOffset? DeliveredAt);

/// <summary>An RFC 9457 problem the service answered with: its status, title, detail and, for invalid input, the errors per field.</summary>
public sealed class LearningSystemProblem(int status, string? title, string? detail, IReadOnlyDictionary<string, string[]> errors)
    : Exception(Describe(status, title, detail, errors))
{
    public int Status { get; } = status;
    public string? Title { get; } = title;
    public string? Detail { get; } = detail;
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    /// <summary>The problem on one line: status, title, detail, and each field's errors.</summary>
    private static string Describe(int status, string? title, string? detail, IReadOnlyDictionary<string, string[]> errors)
    {
        // Field errors the detail already spells out are not repeated.
        var fields = string.Join("; ", errors.Where(e => !e.Value.All(m => detail?.Contains(m, StringComparison.Ordinal) == true))
            .Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
        var parts = new[] { title, detail, fields }.Where(p => !string.IsNullOrWhiteSpace(p));
        return $"{status} {string.Join(" - ", parts)}".Trim();
    }
}

/// <summary>
/// A typed client for a hospital system integrating with LearningSystem: it signs in with the client's key,
/// acts for one organisation, sends every command with an idempotency key (pass the same key when retrying),
/// and turns problem responses into <see cref="LearningSystemProblem"/>.
/// </summary>
public sealed class LearningSystemClient
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };
    private readonly HttpClient _http;

    public LearningSystemClient(HttpClient http, string apiKey, string? organisation = null)
    {
        _http = http;
        _http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        if (organisation is not null)
        {
            _http.DefaultRequestHeaders.Add("X-Organisation", organisation);
        }
    }

    public Task<Created> RecordFeedbackAsync(FeedbackToRecord feedback, string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<Created>(HttpMethod.Post, "/api/patient-feedback", feedback, idempotencyKey, ct);

    public Task<PatientFeedbackView> GetFeedbackAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<PatientFeedbackView>(HttpMethod.Get, $"/api/patient-feedback/{id}", null, null, ct);

    public Task<Accepted> RespondToFeedbackAsync(Guid feedbackId, FeedbackResponseToRecord response, string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<Accepted>(HttpMethod.Post, $"/api/patient-feedback/{feedbackId}/responses", response, idempotencyKey, ct);

    public Task<Created> RegisterParticipantAsync(ParticipantToRegister participant, string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<Created>(HttpMethod.Post, "/api/participants", participant, idempotencyKey, ct);

    /// <summary>Subscribes <paramref name="url"/> to topics (decision-made, change-implemented, feedback-answered); keep the secret to check signatures.</summary>
    public Task<Subscription> SubscribeAsync(Uri url, IReadOnlyList<string> topics, string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<Subscription>(HttpMethod.Post, "/api/webhooks", new { url, topics }, idempotencyKey, ct);

    public Task<IReadOnlyList<Delivery>> ListDeliveriesAsync(Guid subscriptionId, CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<Delivery>>(HttpMethod.Get, $"/api/webhooks/{subscriptionId}/deliveries", null, null, ct);

    /// <summary>Decision provenance as JSON: the chain of acts and evidence behind a decision.</summary>
    public Task<JsonElement> GetDecisionProvenanceAsync(Guid decisionId, CancellationToken ct = default) =>
        SendAsync<JsonElement>(HttpMethod.Get, $"/api/decisions/{decisionId}/provenance", null, null, ct);

    /// <summary>Whether a webhook delivery came from LearningSystem, unchanged: the signature header checked against the secret.</summary>
    public static bool IsGenuine(string secret, string timestamp, string body, string signature)
    {
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Convert.FromBase64String(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature));
    }

    /// <summary>
    /// Whether a delivery is genuine, checked the Standard Webhooks way with its reference library: the
    /// <c>webhook-id</c>, <c>webhook-timestamp</c> (within five minutes of now) and <c>webhook-signature</c>
    /// headers against the subscription's secret, used as it is.
    /// </summary>
    public static bool IsGenuineDelivery(string secret, string body, Microsoft.AspNetCore.Http.IHeaderDictionary headers)
    {
        try
        {
            new StandardWebhooks.StandardWebhook(secret).Verify(body, headers);
            return true;
        }
        catch (StandardWebhooks.Diagnostics.WebhookVerificationException)
        {
            return false;
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, string? idempotencyKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
            request.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString());
        }

        using var response = await _http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            var problem = response.Content.Headers.ContentLength == 0 ? default : await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            throw new LearningSystemProblem((int)response.StatusCode, Text(problem, "title"), Text(problem, "detail"), Errors(problem));
        }

        return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
    }

    private static string? Text(JsonElement problem, string name) =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Dictionary<string, string[]> Errors(JsonElement problem) =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? errors.EnumerateObject().ToDictionary(e => e.Name, e => e.Value.EnumerateArray().Select(v => v.GetString() ?? "").ToArray())
            : [];
}
