namespace LearningSystem.Http.Idempotency;

/// <summary>The keyed command running in this request, for the answer to be committed with its events.</summary>
public sealed record IdempotencyClaim(string Organisation, string Id, string RequestHash, DateTimeOffset ExpiresAt)
{
    /// <summary>Set once the answer was stored in the command's own transaction.</summary>
    public bool AnsweredInTransaction { get; set; }

    /// <summary>The key answered as the response stands: status, the headers a client needs, and the body.</summary>
    public IdempotentRequest Answered(HttpResponse response, string? contentType, string body) =>
        new(Id, RequestHash, response.StatusCode, contentType, response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
            body, ExpiresAt, response.Headers.ETag.ToString() is { Length: > 0 } etag ? etag : null);
}
