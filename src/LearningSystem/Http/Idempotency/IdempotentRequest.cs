namespace LearningSystem.Http.Idempotency;

/// <summary>
/// A command sent with an <c>Idempotency-Key</c>, as first answered: the first request with a key runs, and every
/// retry with the same key and body gets that answer back without running again. Keys belong to the client
/// and organisation, and are kept for <c>Idempotency:KeepHours</c>.
/// </summary>
public sealed record IdempotentRequest(
    string Id, string RequestHash, int? Status, string? ContentType, string? Location, string? Body, DateTimeOffset ExpiresAt,
    string? ETag = null, DateTimeOffset? LeaseUntil = null)
{
    public bool IsAnswered => Status is not null;

    /// <summary>A pending claim whose runner has had its time: it died, or its request was stopped.</summary>
    public bool LeaseExpired(DateTimeOffset now) => !IsAnswered && (LeaseUntil ?? DateTimeOffset.MinValue) <= now;
}
