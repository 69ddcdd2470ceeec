using LearningSystem.Organisations;
using JasperFx;
using JasperFx.CodeGeneration;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.Http;

/// <summary>
/// Every failure leaves as an RFC 9457 problem response: domain rejections, lost concurrency races,
/// oversized bodies and empty 4xx answers alike. Nothing internal leaks.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var context = httpContext;
        var problem = exception switch
        {
            Rejected rejected => FromRejection(rejected),
            ConcurrencyException or DocumentAlreadyExistsException => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "The stream was changed by someone else.",
                Detail = "Another command changed it first. Read it again and retry.",
            },
            BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = Title(bad.StatusCode), Detail = bad.Message },
            _ when Organisation.IsMoving(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The organisation is moving to a database of its own.",
                Detail = "Its changes wait until the move ends; nothing was changed. Retry after Retry-After seconds.",
            },
            _ when DatabaseUnavailable(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The database is unavailable.",
                Detail = "PostgreSQL could not be reached or has no connection free; nothing was changed. Retry after Retry-After seconds.",
            },
            _ => null,
        };

        if (problem is null)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            problem = new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = "An unexpected error occurred." };
        }

        context.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// PostgreSQL unreachable, refusing connections (too many clients, starting up, shutting down) or the pool
    /// exhausted: Npgsql calls these transient. A transaction that never reached the database changed nothing,
    /// so the client may simply retry.
    /// </summary>
    private static bool DatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.NpgsqlException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }

    private static ProblemDetails FromRejection(Rejected rejected)
    {
        var status = rejected.Kind switch
        {
            RejectionKind.NotFound => StatusCodes.Status404NotFound,
            RejectionKind.Conflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        };

        var problem = rejected.Field is null
            ? new ProblemDetails()
            : new ValidationProblemDetails(new Dictionary<string, string[]> { [rejected.Field] = [rejected.Message] });
        problem.Status = status;
        problem.Title = Title(status);
        problem.Detail = rejected.Message;
        foreach (var (key, value) in rejected.Facts)
        {
            problem.Extensions[key] = value;
        }

        return problem;
    }

    public static string Title(int status) => status switch
    {
        400 => "The request is invalid.",
        404 => "Not found.",
        409 => "The request conflicts with the current state.",
        413 => "The request body is too large.",
        415 => "The request body must be JSON (application/json).",
        _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
    };
}

/// <summary>A problem answer written by middleware, outside any endpoint: access, limits, timeouts, idempotency.</summary>
public static class ProblemResponse
{
    public static async ValueTask WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>A 400 naming the one field at fault, as validation names fields.</summary>
    public static async ValueTask WriteFieldAsync(HttpContext context, string field, string message)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request has invalid fields.",
                Detail = message,
            },
        });
    }
}

/// <summary>Documents, on every command, the problem answers that the pipeline gives before the endpoint runs.</summary>
public sealed class CommandProblemsPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.HasRequestType))
        {
            chain.Metadata.ProducesProblem(StatusCodes.Status413PayloadTooLarge);
            chain.Metadata.ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        }
    }
}
