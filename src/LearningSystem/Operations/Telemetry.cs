using LearningSystem.Access;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using LearningSystem.Attribution;

namespace LearningSystem.Operations;

/// <summary>
/// Traces and metrics from ASP.NET Core, HttpClient, Wolverine, Marten and Npgsql, and the logs, sent over OTLP
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is configured (the standard OTEL_* settings apply). Every log
/// written while a request is served carries its correlation and request ids, its client and organisation.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "LearningSystem";

    public static void AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Logging.AddSimpleConsole(o => o.IncludeScopes = true);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithTracing(t => t.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddSource("Wolverine*", "Marten*", "Npgsql"))
            .WithMetrics(m => m.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation()
                .AddMeter("Wolverine*", "Marten*", "Npgsql"))
            .WithLogging(_ => { }, o => o.IncludeScopes = true);
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }
    }

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
