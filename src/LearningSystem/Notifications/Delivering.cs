using System.Text;
using System.Text.Json;
using JasperFx.Events;
using LearningSystem.Feedback;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Priorities;
using LearningSystem.ServiceRedesigns;
using Marten;
using Wolverine.Attributes;

namespace LearningSystem.Notifications;

/// <summary>One notification for one subscriber, on the durable webhooks queue.</summary>
public sealed record DeliverWebhook(Guid DeliveryId, Guid SubscriptionId, Notification Notification);

/// <summary>A receiver that did not take a delivery; Wolverine schedules the retry.</summary>
public sealed class WebhookNotDelivered(string message) : Exception(message);

/// <summary>
/// The acts integrating systems hear of. Marten forwards each appended event through Wolverine's outbox, in the
/// command's own transaction, so a committed act is never missed; each becomes one delivery per subscriber.
/// </summary>
[WolverineHandler]
public static class Notifying
{
    public static Task<DeliverWebhook[]> Handle(IEvent<PriorityDecided> e, IDocumentStore store, CancellationToken ct) =>
        FanOutAsync(e, Topics.DecisionMade, $"/api/decisions/{e.Data.DecisionId}/provenance", store, ct);

    public static Task<DeliverWebhook[]> Handle(IEvent<ChangeDecided> e, IDocumentStore store, CancellationToken ct) =>
        FanOutAsync(e, Topics.DecisionMade, $"/api/decisions/{e.Data.DecisionId}/provenance", store, ct);

    public static Task<DeliverWebhook[]> Handle(IEvent<ChangeImplemented> e, IDocumentStore store, CancellationToken ct) =>
        FanOutAsync(e, Topics.ChangeImplemented, $"/api/service-redesigns/{e.StreamId}", store, ct);

    public static Task<DeliverWebhook[]> Handle(IEvent<FeedbackResponded> e, IDocumentStore store, CancellationToken ct) =>
        FanOutAsync(e, Topics.FeedbackAnswered, $"/api/patient-feedback/{e.StreamId}", store, ct);

    private static async Task<DeliverWebhook[]> FanOutAsync(IEvent e, string topic, string link, IDocumentStore store, CancellationToken ct)
    {
        await using var session = store.QuerySession(e.TenantId);
        var subscribers = await session.Query<WebhookSubscription>().Where(s => s.Topics.Contains(topic)).ToListAsync(ct);
        var notification = new Notification(topic, e.TenantId, e.StreamId, e.Id, e.Sequence, e.Timestamp, link);
        // The delivery id is fixed by event and subscriber, so a forwarded event handled twice is one delivery.
        return subscribers.Select(s => new DeliverWebhook(DeliveryId(e.Id, s.Id), s.Id, notification)).ToArray();
    }

    /// <summary>Fixed by what is notified and who is told.</summary>
    public static Guid DeliveryId(Guid eventId, Guid subscriptionId) => LearningSystem.Storage.PairId.Of(eventId, subscriptionId);
}

/// <summary>Posts a notification, signed, and logs the attempt; a failure is retried with backoff by Wolverine.</summary>
[WolverineHandler]
public static class Delivering
{
    public const string HttpClientName = "webhooks";

    public static async Task Handle(DeliverWebhook message, IDocumentStore store, IHttpClientFactory clients, TimeProvider clock, CancellationToken ct)
    {
        var organisation = message.Notification.Organisation;
        await using var session = store.LightweightSession(organisation);
        var subscription = await session.LoadAsync<WebhookSubscription>(message.SubscriptionId, ct);
        var delivery = await session.LoadAsync<WebhookDelivery>(message.DeliveryId, ct)
            ?? new WebhookDelivery(message.DeliveryId, message.SubscriptionId, message.Notification, [], null);
        if (subscription is null || delivery.DeliveredAt is not null)
        {
            return; // unsubscribed since, or already delivered
        }

        var body = JsonSerializer.Serialize(message.Notification, JsonSerializerOptions.Web);
        // Receivers compare the signature's timestamp with their own clocks, so it is the wall clock's.
        var timestamp = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(WebhookSignature.DeliveryHeader, message.DeliveryId.ToString());
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(subscription.Secret, timestamp, body));
        var id = message.DeliveryId.ToString();
        request.Headers.Add(WebhookSignature.StandardIdHeader, id);
        request.Headers.Add(WebhookSignature.StandardTimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.StandardSignatureHeader, WebhookSignature.SignStandard(subscription.Secret, id, timestamp, body));

        DeliveryAttempt attempt;
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, ct);
            attempt = new DeliveryAttempt(clock.GetUtcNow(), (int)response.StatusCode, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or WebhookTargets.TargetRefused)
        {
            attempt = new DeliveryAttempt(clock.GetUtcNow(), null, WebhookTargets.Reason(e));
        }

        var delivered = attempt.Status is >= 200 and < 300;
        session.Store(delivery with { Attempts = [.. delivery.Attempts, attempt], DeliveredAt = delivered ? attempt.At : null });
        await session.SaveChangesAsync(ct);
        if (!delivered)
        {
            throw new WebhookNotDelivered($"{subscription.Url} did not take delivery {message.DeliveryId}: {attempt.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? attempt.Error}");
        }
    }
}
