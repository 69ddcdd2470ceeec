using System.Security.Cryptography;
using LearningSystem.Access;
using Marten;

namespace LearningSystem.Http.Idempotency;

/// <summary>
/// Runs a keyed command once. The first request claims its key as pending with a lease (the document's primary
/// key decides which of several concurrent requests is first), runs, and its answer is stored in the
/// command's own transaction; others with the same key wait for that answer and replay it, headers included.
/// A claim whose lease ran out (its process died before committing) is taken over by the next retry, which
/// runs the command. A key reused with another body is a 422. A failed first attempt (5xx or an exception)
/// gives the key up, so that a retry runs again. The in-process gate only saves waiting retries database
/// round trips; the database decides.
/// </summary>
public sealed class IdempotentCommands(RequestDelegate next, IDocumentStore store, TimeProvider clock, IConfiguration configuration)
{
    // A lease outlives any request the service lets run (they are stopped at the request timeout).
    private readonly TimeSpan _lease = Lease(configuration);

    // For crash tests only: how long a keyed command's answer is held after it committed, before it is written.
    private readonly TimeSpan _hold = TimeSpan.FromMilliseconds(configuration.GetValue("Testing:HoldAnswersMilliseconds", 0));

    // Requests with the same key in this process take turns, so that a burst of retries waits here rather than
    // each holding a database connection; unrelated keys rarely share one of the many gates.
    private readonly SemaphoreSlim[] _gates = Enumerable.Range(0, 1024).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly StoredClaims _claims = new(store, clock, Lease(configuration),
        TimeSpan.FromHours(configuration.GetValue("Idempotency:KeepHours", IdempotencyKey.DefaultKeepHours)));

    private static TimeSpan Lease(IConfiguration configuration) =>
        TimeSpan.FromSeconds(configuration.GetValue("Limits:RequestTimeoutSeconds", Api.DefaultRequestTimeoutSeconds) + 5);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var key = request.Headers[IdempotencyKey.Header].ToString();
        if (key.Length == 0 || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || context.User.ClientId() is not { } client
            || context.User.FindFirst(ClientClaims.Organisation)?.Value is not { } organisation)
        {
            await next(context);
            return;
        }

        if (key.Length > 200 || key.Any(char.IsControl))
        {
            await ProblemResponse.WriteAsync(context, StatusCodes.Status400BadRequest, "The idempotency key is invalid.", $"Send 1 to 200 printable characters in {IdempotencyKey.Header}.");
            return;
        }

        var id = $"{client}:{key}";
        var hash = await HashAsync(request, context.RequestAborted);
        var gate = _gates[(uint)StringComparer.Ordinal.GetHashCode($"{organisation}/{id}") % (uint)_gates.Length];
        await gate.WaitAsync(context.RequestAborted);
        try
        {
            await AnswerOnceAsync(context, organisation, id, key, hash);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task AnswerOnceAsync(HttpContext context, string organisation, string id, string key, string hash)
    {
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await using (var query = store.QuerySession(organisation))
            {
                var existing = await query.LoadAsync<IdempotentRequest>(id, context.RequestAborted);
                if (existing is not null && existing.ExpiresAt > clock.GetUtcNow())
                {
                    if (existing.RequestHash != hash)
                    {
                        await ProblemResponse.WriteAsync(context, StatusCodes.Status422UnprocessableEntity, "The idempotency key was used for another request.",
                            $"The key '{key}' was first sent with another method, path or body. Use a new key for a new request.");
                        return;
                    }

                    if (existing.IsAnswered)
                    {
                        await ReplayAsync(context, existing);
                        return;
                    }

                    if (existing.LeaseExpired(clock.GetUtcNow()) && await _claims.TakeOverAsync(organisation, existing, context.RequestAborted) is { } taken)
                    {
                        await RunAsync(context, organisation, taken);
                        return;
                    }
                }
                else if (await _claims.ClaimAsync(organisation, id, hash, expired: existing is not null, context.RequestAborted) is { } claimed)
                {
                    await RunAsync(context, organisation, claimed);
                    return;
                }
            }

            if (waiting.Elapsed > _lease)
            {
                await ProblemResponse.WriteAsync(context, StatusCodes.Status409Conflict, "A request with this idempotency key is still running.",
                    "Retry later with the same key to get its answer.");
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), context.RequestAborted);
        }
    }

    /// <summary>Method, path, query and body: what makes two requests the same request.</summary>
    private static async Task<string> HashAsync(HttpRequest request, CancellationToken ct)
    {
        request.EnableBuffering();
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, ct);
        request.Body.Position = 0;
        var head = System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n");
        return Convert.ToHexStringLower(SHA256.HashData([.. head, .. body.ToArray()]));
    }

    private async Task RunAsync(HttpContext context, string organisation, IdempotentRequest claimed)
    {
        var id = claimed.Id;
        var claim = new IdempotencyClaim(organisation, id, claimed.RequestHash, claimed.ExpiresAt);
        context.Items[IdempotencyKey.ClaimItem] = claim;
        var original = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        try
        {
            await next(context);
        }
        catch
        {
            await _claims.ForgetAsync(organisation, id);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        var response = context.Response;
        if (response.StatusCode >= 500)
        {
            await _claims.ForgetAsync(organisation, id);
        }
        else if (!claim.AnsweredInTransaction)
        {
            // Answers that appended nothing (problems, mostly): no transaction carried them. Command answers
            // carry ids, versions and problems, never personal text.
            await using var session = store.LightweightSession(organisation);
            session.Store(claim.Answered(response, response.ContentType, System.Text.Encoding.UTF8.GetString(captured.ToArray())));
            await session.SaveChangesAsync(CancellationToken.None);
        }

        if (_hold > TimeSpan.Zero)
        {
            await Task.Delay(_hold, CancellationToken.None);
        }

        captured.Position = 0;
        await captured.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task ReplayAsync(HttpContext context, IdempotentRequest answer)
    {
        var response = context.Response;
        response.StatusCode = answer.Status!.Value;
        response.ContentType = answer.ContentType;
        if (answer.Location is { } location)
        {
            response.Headers.Location = location;
        }

        if (answer.ETag is { } etag)
        {
            response.Headers.ETag = etag;
        }

        response.Headers[IdempotencyKey.ReplayedHeader] = "true";
        await response.WriteAsync(answer.Body ?? "", context.RequestAborted);
    }
}
