using System.Net;
using System.Net.Http.Json;

namespace LearningSystem.Tests.Operations;

/// <summary>Traces, metrics and logs reach an OTLP collector, and the logs carry the request's correlation id.</summary>
[Collection(ServiceGroup.Name)]
public sealed class ReportingTelemetry(ServiceFixture service)
{
    [Fact]
    public async Task A_command_is_traced_measured_and_logged_over_otlp_with_its_correlation_id()
    {
        var correlation = $"otel-{Guid.NewGuid():N}";
        using var http = service.ClientFor("tests");
        http.DefaultRequestHeaders.Add("X-Correlation-Id", correlation);

        using var registered = await http.PostAsJsonAsync("/api/participants", Requests.Jenny);

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var collector = service.Collector;
        var within = TimeSpan.FromSeconds(20);
        Assert.True(await collector.WaitForAsync("/v1/logs", body => body.Contains(correlation, StringComparison.Ordinal), within), "no log carried the correlation id");
        Assert.True(await collector.WaitForAsync("/v1/traces", body => body.Contains("/api/participants", StringComparison.Ordinal) && body.Contains("LearningSystem", StringComparison.Ordinal), within), "no trace of the request");
        Assert.True(await collector.WaitForAsync("/v1/traces", body => body.Contains("Npgsql", StringComparison.Ordinal), within), "no trace from Npgsql");
        Assert.True(await collector.WaitForAsync("/v1/metrics", body => body.Contains("http.server.request.duration", StringComparison.Ordinal), within), "no ASP.NET Core metrics");
    }
}
