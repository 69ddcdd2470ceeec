using JasperFx;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace LearningSystem.Hosting;

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
            ConcurrencyException => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "The stream was changed by someone else.",
                Detail = "Another command changed it first. Read it again and retry.",
            },
            BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = Title(bad.StatusCode), Detail = bad.Message },
            _ => null,
        };

        if (problem is null)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            problem = new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = "An unexpected error occurred." };
        }

        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
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

/// <summary>
/// Refuses oversized bodies with 413 before anything reads them. Kestrel's own limit is not enough:
/// the JSON reader would turn its error into a bare 400, and the test server has no limit at all.
/// </summary>
public sealed class RequestBodyLimit(RequestDelegate next, long maxBytes)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge();
        }

        if (request.ContentLength is null && (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method)))
        {
            // A chunked body has no declared length: read at most one byte past the limit to find out.
            var buffer = new MemoryStream();
            await request.Body.CopyToAsync(new LimitedStream(buffer, maxBytes), context.RequestAborted);
            buffer.Position = 0;
            request.Body = buffer;
            context.Response.RegisterForDispose(buffer);
        }

        await next(context);
    }

    private BadHttpRequestException TooLarge() =>
        new($"The request body is larger than {maxBytes} bytes.", StatusCodes.Status413PayloadTooLarge);

    private sealed class LimitedStream(Stream inner, long max) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (inner.Length + count > max)
            {
                throw new BadHttpRequestException($"The request body is larger than {max} bytes.", StatusCodes.Status413PayloadTooLarge);
            }

            inner.Write(buffer, offset, count);
        }
    }
}
