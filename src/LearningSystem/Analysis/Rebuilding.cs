using System.Diagnostics;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace LearningSystem.Analysis;

public sealed record RebuildProgress(string Projection, long EventsDone, long Events, double EventsPerSecond, TimeSpan? Left);

public sealed record ProjectionRebuilt(string Projection, double Seconds);

public sealed record RebuildReport(IReadOnlyList<ProjectionRebuilt> Projections, long Events, double Seconds, double EventsPerSecond);

/// <summary>Rebuilds every view from the events with Marten's projection daemon, reporting how far each has got.</summary>
public sealed class ViewRebuilder(IDocumentStore store)
{
    public IReadOnlyList<string> Projections => store.Options.Events.Projections().Select(p => p.Name).ToArray();

    public async Task<RebuildReport> RebuildAsync(IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var events = await ScalarAsync(connection, $"select coalesce(max(seq_id), 0) from {schema}.mt_events", null, ct);
        using var daemon = await store.BuildProjectionDaemonAsync();
        var all = Stopwatch.StartNew();

        // Every view at once: the daemon caps how many run together, and two cores are busier than one.
        var rebuilds = Projections.ToDictionary(name => name, name => Timed(daemon.RebuildProjectionAsync(name, ct)));
        var everything = Task.WhenAll(rebuilds.Values);
        while (await Task.WhenAny(everything, Task.Delay(TimeSpan.FromSeconds(1), ct)) != everything)
        {
            foreach (var (name, _) in rebuilds.Where(r => !r.Value.IsCompleted))
            {
                var done = await ScalarAsync(connection, $"select coalesce(max(last_seq_id), 0) from {schema}.mt_event_progression where name like @name", $"{name}:%", ct);
                var rate = done / Math.Max(all.Elapsed.TotalSeconds, 0.001);
                progress?.Report(new RebuildProgress(name, done, events, rate, rate > 0 ? TimeSpan.FromSeconds((events - done) / rate) : null));
            }
        }

        var rebuilt = new List<ProjectionRebuilt>();
        foreach (var (name, rebuild) in rebuilds)
        {
            var seconds = await rebuild;
            progress?.Report(new RebuildProgress(name, events, events, events / Math.Max(seconds, 0.001), TimeSpan.Zero));
            rebuilt.Add(new ProjectionRebuilt(name, Math.Round(seconds, 3)));
        }

        var total = all.Elapsed.TotalSeconds;
        return new RebuildReport(rebuilt, events, Math.Round(total, 3), Math.Round(events / Math.Max(total, 0.001)));
    }

    private static async Task<double> Timed(Task rebuild)
    {
        var watch = Stopwatch.StartNew();
        await rebuild;
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, string? name, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (name is not null)
        {
            command.Parameters.AddWithValue("name", name);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary><c>dotnet run --project src/LearningSystem -- rebuild-views</c>: rebuilds every view, showing events done, rate and time left.</summary>
[Description("Rebuilds every view from the events, with progress", Name = "rebuild-views")]
public sealed class RebuildViewsCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var rebuilder = new ViewRebuilder(host.Services.GetRequiredService<IDocumentStore>());
        var report = await rebuilder.RebuildAsync(new Progress<RebuildProgress>(p => Console.WriteLine(
            $"{p.Projection}: {p.EventsDone:N0} of {p.Events:N0} events, {p.EventsPerSecond:N0} events/s, {(p.Left is { } left ? $"{left.TotalSeconds:N0} s left" : "starting")}")), CancellationToken.None);
        Console.WriteLine($"Rebuilt {report.Projections.Count} views over {report.Events:N0} events in {report.Seconds:N1} s.");
        return true;
    }
}

public static class RebuildEndpoint
{
    /// <summary>Rebuilds every view of every organisation from the events and answers when done; views are identical afterwards.</summary>
    [WolverinePost("/api/admin/rebuilds", OperationId = "rebuildViews"), Tags("Analysis")]
    [ProducesResponseType<RebuildReport>(200, "application/json")]
    public static Task<RebuildReport> Post(IDocumentStore store, CancellationToken ct) => new ViewRebuilder(store).RebuildAsync(null, ct);
}
