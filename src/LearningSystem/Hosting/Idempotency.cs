using System.Security.Cryptography;
using LearningSystem.Access;
using Marten;
using JasperFx;
using Microsoft.AspNetCore.Mvc;

namespace LearningSystem.Hosting;

/// <summary>
/// A command sent with an <c>Idempotency-Key</c>, as first answered: the first request with a key runs, and every
/// retry with the same key and body gets that answer back without running again. Keys belong to the client
/// and organisation, and are kept for <c>Idempotency:KeepHours</c>.
/// </summary>
public sealed record IdempotentRequest(
    string Id, string RequestHash, int? Status, string? ContentType, string? Location, string? Body, DateTimeOffset ExpiresAt)
{
    public bool IsAnswered => Status is not null;
}

public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int DefaultKeepHours = 24;

    public static StoreOptions AddIdempotency(this StoreOptions options)
    {
        options.Schema.For<IdempotentRequest>().Metadata(m => m.DisableInformationalFields());
        return options;
    }

    /// <summary>Removes the keys expired by <paramref name="now"/>, in every organisation; answers how many.</summary>
    public static async Task<int> ForgetExpiredAsync(IDocumentStore store, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var delete = new Npgsql.NpgsqlCommand(
            $"delete from {store.Options.Schema.For<IdempotentRequest>()} where (data ->> 'expiresAt')::timestamptz < @now", connection);
        delete.Parameters.AddWithValue("now", now);
        return await delete.ExecuteNonQueryAsync(ct);
    }

    public static void AddIdempotency(this IServiceCollection services) => services.AddHostedService<ExpiredKeyCleaner>();

    /// <summary>Expired keys are ignored when met; this lets them go from the table once an hour, in every organisation.</summary>
    private sealed class ExpiredKeyCleaner(IDocumentStore store, TimeProvider clock, ILogger<ExpiredKeyCleaner> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var hourly = new PeriodicTimer(TimeSpan.FromHours(1));
            while (await hourly.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await ForgetExpiredAsync(store, clock.GetUtcNow(), stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Expired idempotency keys could not be removed; they are ignored until the next try.");
                }
            }
        }
    }
}

/// <summary>
/// Runs a keyed command once. The first request stores its key as pending (the document's primary key decides
/// which of several concurrent requests is first), runs, and stores its answer; others with the same key wait
/// for that answer and replay it. A key reused with another body is a 422. A failed first attempt (5xx or an
/// exception) gives the key up, so that a retry runs again.
/// </summary>
public sealed class IdempotentCommands(RequestDelegate next, IDocumentStore store, TimeProvider clock, IConfiguration configuration)
{
    private static readonly TimeSpan WaitForFirst = TimeSpan.FromSeconds(30);

    // Requests with the same key in this process take turns, so that a burst of retries waits here rather than
    // each holding a database connection; unrelated keys rarely share one of the many gates.
    private readonly SemaphoreSlim[] _gates = Enumerable.Range(0, 1024).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly TimeSpan _keep = TimeSpan.FromHours(configuration.GetValue("Idempotency:KeepHours", Idempotency.DefaultKeepHours));

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var key = request.Headers[Idempotency.Header].ToString();
        if (key.Length == 0 || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || context.User.ClientId() is not { } client
            || context.User.FindFirst(ClientClaims.Organisation)?.Value is not { } organisation)
        {
            await next(context);
            return;
        }

        if (key.Length > 200 || key.Any(char.IsControl))
        {
            await ProblemResponse.WriteAsync(context, StatusCodes.Status400BadRequest, "The idempotency key is invalid.", $"Send 1 to 200 printable characters in {Idempotency.Header}.");
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
                }
                else if (await ClaimAsync(organisation, id, hash, expired: existing is not null, context.RequestAborted))
                {
                    await RunAsync(context, organisation, id, hash);
                    return;
                }
            }

            if (waiting.Elapsed > WaitForFirst)
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

    private async Task<bool> ClaimAsync(string organisation, string id, string hash, bool expired, CancellationToken ct)
    {
        await using var session = store.LightweightSession(organisation);
        var pending = new IdempotentRequest(id, hash, null, null, null, null, clock.GetUtcNow() + _keep);
        if (expired)
        {
            session.Delete<IdempotentRequest>(id);
        }

        session.Insert(pending);
        try
        {
            await session.SaveChangesAsync(ct);
            return true;
        }
        catch (DocumentAlreadyExistsException)
        {
            return false;
        }
    }

    private async Task RunAsync(HttpContext context, string organisation, string id, string hash)
    {
        var original = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        try
        {
            await next(context);
        }
        catch
        {
            await ForgetAsync(organisation, id);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        var response = context.Response;
        if (response.StatusCode >= 500)
        {
            await ForgetAsync(organisation, id);
        }
        else
        {
            // Command answers carry ids, versions and problems, never personal text.
            await using var session = store.LightweightSession(organisation);
            session.Store(new IdempotentRequest(id, hash, response.StatusCode, response.ContentType, response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
                System.Text.Encoding.UTF8.GetString(captured.ToArray()), clock.GetUtcNow() + _keep));
            await session.SaveChangesAsync(CancellationToken.None);
        }

        captured.Position = 0;
        await captured.CopyToAsync(original, context.RequestAborted);
    }

    private async Task ForgetAsync(string organisation, string id)
    {
        await using var session = store.LightweightSession(organisation);
        session.Delete<IdempotentRequest>(id);
        await session.SaveChangesAsync(CancellationToken.None);
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

        response.Headers[Idempotency.ReplayedHeader] = "true";
        await response.WriteAsync(answer.Body ?? "", context.RequestAborted);
    }
}
