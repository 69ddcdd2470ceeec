using System.Text.Json;
using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LearningSystem.Operations;

/// <summary>
/// <c>/health/live</c>: the process answers. <c>/health/ready</c>: the event store answers too, with how far
/// the store has got and how far each projection shard the daemon runs lags behind it.
/// </summary>
public static class Health
{
    public const string Ready = "ready";

    public static void AddHealth(this IServiceCollection services) =>
        services.AddHealthChecks().AddCheck<EventStoreReadiness>("eventStore", tags: [Ready]);

    public static void MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = WriteAsync,
        }).AllowAnonymous().DisableRateLimiting();
        app.MapHealthChecks("/health/ready", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResponseWriter = WriteAsync,
        }).AllowAnonymous().DisableRateLimiting();
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString().ToLowerInvariant(),
                description = e.Value.Description,
                data = e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }

    /// <summary>
    /// Every view is inline (updated in the command's own transaction), so the daemon runs only for rebuilds and
    /// the lag of the views is nil by construction; any shard it does run is reported with its lag.
    /// </summary>
    private sealed class EventStoreReadiness(IDocumentStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var schema = store.Options.DatabaseSchemaName;
                await using var connection = store.Storage.Database.CreateConnection();
                await connection.OpenAsync(cancellationToken);
                await using var command = new Npgsql.NpgsqlCommand(
                    $"select coalesce((select max(seq_id) from {schema}.mt_events), 0), name, last_seq_id from (select null) x left join {schema}.mt_event_progression on true", connection);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                long highest = 0;
                var shards = new Dictionary<string, object>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    highest = reader.GetInt64(0);
                    if (!reader.IsDBNull(1))
                    {
                        shards[reader.GetString(1)] = new { sequence = reader.GetInt64(2), lag = highest - reader.GetInt64(2) };
                    }
                }

                var async = store.Options.Events.Projections().Count(p => p.Lifecycle == JasperFx.Events.Projections.ProjectionLifecycle.Async);
                return HealthCheckResult.Healthy("The event store answers.", new Dictionary<string, object>
                {
                    ["highestSequence"] = highest,
                    ["daemon"] = async == 0 ? "not running: every view is inline, so no view lags the events" : $"{async} async projections",
                    ["shards"] = shards,
                });
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                return HealthCheckResult.Unhealthy("The event store does not answer.", e);
            }
        }
    }
}
