using JasperFx;
using LearningSystem.Http.Idempotency;

namespace LearningSystem.Http;

/// <summary>
/// A command that lost a race at commit (another command appended to the same stream between its read and its
/// write) runs again from the start, a few times with jitter. A move that needs no version then simply
/// succeeds on a fresh read; one that gave a version now stale gets the usual 409 with <c>currentVersion</c>.
/// Each attempt opens its own session, so nothing of a lost attempt is kept. A command whose subject key was
/// erased before it committed runs again the same way.
/// </summary>
public sealed class RetryingConflicts(RequestDelegate next, ILogger<RetryingConflicts> logger)
{
    public const int Attempts = 20;

    public async Task InvokeAsync(HttpContext context)
    {
        // An endpoint that streams its body (a FHIR batch) answers each part as it goes: it cannot run again from the
        // start, and retries each part itself; buffering its body for a rerun would only copy it to disk.
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            || context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>() is not null)
        {
            await next(context);
            return;
        }

        // The body is read again by each attempt.
        context.Request.EnableBuffering();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await next(context);
                return;
            }
            catch (Exception e) when ((e is ConcurrencyException || PersonalData.KeyLiveness.IsStaleKey(e))
                                      && attempt < Attempts && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                if (e is not ConcurrencyException)
                {
                    // A subject key this command sealed under was erased before it committed: read the keys afresh.
                    context.RequestServices.GetRequiredService<PersonalData.SubjectKeyCache>().ForgetLiveKeys();
                }

                if (logger.IsEnabled(LogLevel.Debug))
                {
                    logger.LogDebug("{Method} {Path} lost a race at commit; attempt {Attempt} of {Attempts}", context.Request.Method, context.Request.Path, attempt + 1, Attempts);
                }

                context.Request.Body.Position = 0;
                context.Response.Headers.Clear();
                // The lost attempt's answer names what it would have made; no later commit may store it.
                context.Items.Remove(IdempotencyKey.AnswerItem);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * attempt)), context.RequestAborted);
            }
        }
    }
}
