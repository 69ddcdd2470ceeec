using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LearningSystem.Operations;

/// <summary>
/// Traces and metrics from ASP.NET Core, HttpClient, Wolverine, Marten and Npgsql, and the logs, sent over OTLP
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is configured (the standard OTEL_* settings apply). Without it nothing
/// is collected: a listener on every activity and meter, with nowhere to send, cost every command CPU for nothing.
/// What each request's log lines carry is added by the request pipeline (<c>Http/RequestLog.cs</c>).
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "LearningSystem";

    public static void AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Logging.AddSimpleConsole(o => o.IncludeScopes = true);
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithTracing(t => t.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddSource("Wolverine*", "Marten*", "Npgsql"))
            .WithMetrics(m => m.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation()
                .AddMeter("Wolverine*", "Marten*", "Npgsql"))
            .WithLogging(_ => { }, o => o.IncludeScopes = true)
            .UseOtlpExporter();
    }
}
