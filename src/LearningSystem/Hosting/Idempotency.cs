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
    string Id, string RequestHash, int? Status, string? ContentType, string? Location, string? Body, DateTimeOffset ExpiresAt,
    string? ETag = null, DateTimeOffset? LeaseUntil = null)
{
    public bool IsAnswered => Status is not null;

    /// <summary>A pending claim whose runner has had its time: it died, or its request was stopped.</summary>
    public bool LeaseExpired(DateTimeOffset now) => !IsAnswered && (LeaseUntil ?? DateTimeOffset.MinValue) <= now;
}

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

public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int DefaultKeepHours = 24;
    public const string ClaimItem = "idempotency-claim";
    public const string AnswerItem = "idempotency-answer";

    /// <summary>Remembers a command's answer (Created or Accepted) for the transaction that commits it.</summary>
    public static void Remember(HttpContext context, object answer) => context.Items[AnswerItem] = answer;

    public static StoreOptions AddIdempotency(this StoreOptions options)
    {
        options.Schema.For<IdempotentRequest>().Metadata(m => m.DisableInformationalFields());
        options.Listeners.Add(new AnswerWithTheCommand());
        return options;
    }

    /// <summary>
    /// Stores a keyed command's answer in the transaction that appends its events, so that a process killed
    /// after the commit and before answering leaves the answer behind: a retry replays it instead of running
    /// the command again or waiting on a claim nobody will finish.
    /// </summary>
    private sealed class AnswerWithTheCommand : DocumentSessionListenerBase
    {
        private static readonly HttpContextAccessor Requests = new();

        public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
        {
            if (Requests.HttpContext is not { } context
                || context.Items[ClaimItem] is not IdempotencyClaim claim
                || context.Items[AnswerItem] is not { } answer
                || session.TenantId != claim.Organisation)
            {
                return Task.CompletedTask;
            }

            // The body as Wolverine will write it, after this commit, with the same JSON options.
            var json = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
            session.Store(claim.Answered(context.Response, "application/json; charset=utf-8", System.Text.Json.JsonSerializer.Serialize(answer, answer.GetType(), json)));
            return Task.CompletedTask;
        }

        // Only a commit that carried the answer counts: a transaction lost to a race is retried, and rolled back.
        public override Task AfterCommitAsync(IDocumentSession session, Marten.Services.IChangeSet commit, CancellationToken token)
        {
            if (Requests.HttpContext?.Items[ClaimItem] is IdempotencyClaim claim
                && commit.Updated.Concat(commit.Inserted).Any(d => d is IdempotentRequest r && r.Id == claim.Id))
            {
                claim.AnsweredInTransaction = true;
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>Removes the keys expired by <paramref name="now"/>, in every organisation; answers how many.</summary>
    public static async Task<int> ForgetExpiredAsync(IDocumentStore store, DateTimeOffset now, CancellationToken ct)
    {
        var forgotten = 0;
        foreach (var database in await store.Storage.AllDatabases())
        {
            await using var connection = database.CreateConnection();
            await connection.OpenAsync(ct);
            await using var delete = new Npgsql.NpgsqlCommand(
                $"delete from {store.Options.Schema.For<IdempotentRequest>()} where (data ->> 'expiresAt')::timestamptz < @now", connection);
            delete.Parameters.AddWithValue("now", now);
            forgotten += await delete.ExecuteNonQueryAsync(ct);
        }

        return forgotten;
    }

    public static void AddIdempotency(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddHostedService<ExpiredKeyCleaner>();
    }

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
    private readonly TimeSpan _lease = TimeSpan.FromSeconds(configuration.GetValue("Limits:RequestTimeoutSeconds", Api.DefaultRequestTimeoutSeconds) + 5);

    // For crash tests only: how long a keyed command's answer is held after it committed, before it is written.
    private readonly TimeSpan _hold = TimeSpan.FromMilliseconds(configuration.GetValue("Testing:HoldAnswersMilliseconds", 0));

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

                    if (existing.LeaseExpired(clock.GetUtcNow()) && await TakeOverAsync(organisation, existing, context.RequestAborted) is { } taken)
                    {
                        await RunAsync(context, organisation, taken);
                        return;
                    }
                }
                else if (await ClaimAsync(organisation, id, hash, expired: existing is not null, context.RequestAborted) is { } claimed)
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

    private async Task<IdempotentRequest?> ClaimAsync(string organisation, string id, string hash, bool expired, CancellationToken ct)
    {
        await using var session = store.LightweightSession(organisation);
        var now = clock.GetUtcNow();
        var pending = new IdempotentRequest(id, hash, null, null, null, null, now + _keep, LeaseUntil: now + _lease);
        if (expired)
        {
            session.Delete<IdempotentRequest>(id);
        }

        session.Insert(pending);
        try
        {
            await session.SaveChangesAsync(ct);
            return pending;
        }
        catch (DocumentAlreadyExistsException)
        {
            return null;
        }
    }

    /// <summary>Takes over a pending claim whose lease ran out; of several retries at once, exactly one succeeds.</summary>
    private async Task<IdempotentRequest?> TakeOverAsync(string organisation, IdempotentRequest stale, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var renewed = stale with { LeaseUntil = now + _lease };
        await using var connection = (await store.Storage.FindOrCreateDatabase(organisation)).CreateConnection();
        await connection.OpenAsync(ct);
        await using var update = new Npgsql.NpgsqlCommand(
            $"update {store.Options.Schema.For<IdempotentRequest>()} set data = jsonb_set(data, '{{leaseUntil}}', to_jsonb(@until::text)) " +
            "where tenant_id = @tenant and id = @id and data ->> 'status' is null and coalesce((data ->> 'leaseUntil')::timestamptz, '-infinity') <= @now", connection);
        update.Parameters.AddWithValue("until", renewed.LeaseUntil!.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        update.Parameters.AddWithValue("tenant", organisation);
        update.Parameters.AddWithValue("id", stale.Id);
        update.Parameters.AddWithValue("now", now);
        return await update.ExecuteNonQueryAsync(ct) == 1 ? renewed : null;
    }

    private async Task RunAsync(HttpContext context, string organisation, IdempotentRequest claimed)
    {
        var id = claimed.Id;
        var claim = new IdempotencyClaim(organisation, id, claimed.RequestHash, claimed.ExpiresAt);
        context.Items[Idempotency.ClaimItem] = claim;
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

    /// <summary>
    /// Gives up a claim that is still pending. A command whose commit reached the database and whose request
    /// then failed (cancelled at the request timeout while PostgreSQL committed, say) keeps its stored answer,
    /// so that the retry replays it instead of running the command a second time.
    /// </summary>
    private async Task ForgetAsync(string organisation, string id)
    {
        await using var connection = (await store.Storage.FindOrCreateDatabase(organisation)).CreateConnection();
        await connection.OpenAsync(CancellationToken.None);
        await using var delete = new Npgsql.NpgsqlCommand(
            $"delete from {store.Options.Schema.For<IdempotentRequest>()} where tenant_id = @tenant and id = @id and data ->> 'status' is null", connection);
        delete.Parameters.AddWithValue("tenant", organisation);
        delete.Parameters.AddWithValue("id", id);
        await delete.ExecuteNonQueryAsync(CancellationToken.None);
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

        response.Headers[Idempotency.ReplayedHeader] = "true";
        await response.WriteAsync(answer.Body ?? "", context.RequestAborted);
    }
}
