using LearningSystem.Access;
using LearningSystem.Attribution;

namespace LearningSystem.Http;

/// <summary>Every log written while a request is served carries its correlation and request ids, its client and organisation.</summary>
public static class RequestLog
{
    /// <summary>Opens the request's logging scope, and logs each answer to a command once, with it.</summary>
    public static async Task ScopeRequest(HttpContext context, RequestDelegate next)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("LearningSystem.Requests");
        var (correlationId, requestId) = WhoActed.Ids(context);
        // A message template, so that consoles print it readably and OTLP carries both as attributes.
        using (logger.BeginScope("CorrelationId:{CorrelationId} RequestId:{RequestId}", correlationId, requestId))
        {
            await next(context);
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("{Method} {Path} answered {Status} for {Client} in {Organisation}",
                    context.Request.Method, context.Request.Path.Value, context.Response.StatusCode,
                    context.User.ClientId() ?? "no client", context.User.FindFirst(ClientClaims.Organisation)?.Value ?? "no organisation");
            }
        }
    }
}
