using System.Security.Cryptography;
using System.Text;

namespace LearningSystem.Notifications;

/// <summary>What an integrating system can be told about, as it is named on the wire.</summary>
public static class Topics
{
    public const string DecisionMade = "decision-made";
    public const string ChangeImplemented = "change-implemented";
    public const string FeedbackAnswered = "feedback-answered";
    public const string CheckpointMade = "checkpoint-made";

    public static IReadOnlyList<string> All { get; } = [DecisionMade, ChangeImplemented, FeedbackAnswered, CheckpointMade];
}

/// <summary>An integrating system's wish to be told, at <c>Url</c>, of the topics it names; deliveries are signed with its secret.</summary>
public sealed record WebhookSubscription(Guid Id, string Url, IReadOnlyList<string> Topics, string Secret, string Client, DateTimeOffset Since);

/// <summary>
/// A notification: which act happened, where to read it, nothing personal. Receivers read the details over the
/// API with their own scopes, and recognise a redelivery by its id.
/// </summary>
public sealed record Notification(string Topic, string Organisation, Guid StreamId, Guid EventId, long Sequence, DateTimeOffset OccurredAt, string Link)
{
    /// <summary>For <c>checkpoint-made</c>: the signed checkpoint itself, so that a copy leaves the building as it is made.</summary>
    public CheckpointNotice? Checkpoint { get; init; }
}

/// <summary>A checkpoint as it goes out: everything needed to check it later without us.</summary>
public sealed record CheckpointNotice(long Number, long UpToSequence, string Statement, string? Signature, string? SignatureDer, string? KeyId, string? PublicKey);

/// <summary>One notification to one subscriber, and every attempt to deliver it: the delivery log.</summary>
public sealed record WebhookDelivery(Guid Id, Guid SubscriptionId, Notification Notification, IReadOnlyList<DeliveryAttempt> Attempts, DateTimeOffset? DeliveredAt);

public sealed record DeliveryAttempt(DateTimeOffset At, int? Status, string? Error);

/// <summary>Deliveries are signed so that a receiver can tell they came from us, unchanged and recently.</summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-LearningSystem-Signature";
    public const string TimestampHeader = "X-LearningSystem-Timestamp";
    public const string DeliveryHeader = "X-LearningSystem-Delivery";

    /// <summary>The Standard Webhooks headers (standardwebhooks.com), sent beside ours so any of its libraries can verify a delivery.</summary>
    public const string StandardIdHeader = "webhook-id";
    public const string StandardTimestampHeader = "webhook-timestamp";
    public const string StandardSignatureHeader = "webhook-signature";

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Standard Webhooks' signature: <c>v1,</c> and the base64 HMAC-SHA256, under the base64-decoded secret, of
    /// the delivery id, the timestamp and the body, joined by dots.
    /// </summary>
    public static string SignStandard(string secret, string id, long timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret), Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));

    /// <summary><c>sha256=</c> and the hex HMAC-SHA256, under the subscription's secret, of the timestamp, a dot and the body.</summary>
    public static string Sign(string secret, long timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Convert.FromBase64String(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
}
