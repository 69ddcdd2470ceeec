using LearningSystem.Organisations;
using System.Diagnostics;
using JasperFx.CommandLine;
using LearningSystem.Access;
using LearningSystem.Decisions;
using LearningSystem.Priorities;
using LearningSystem.Negotiating.Deciding;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;
using LearningSystem.Storage;

namespace LearningSystem.Views;

public sealed record RebuildProgress(string Projection, long EventsDone, long Events, double EventsPerSecond, TimeSpan? Left);

public sealed record ProjectionRebuilt(string Projection, double Seconds);

public sealed record RebuildReport(IReadOnlyList<string> Organisations, IReadOnlyList<ProjectionRebuilt> Projections, long Events, double Seconds, double EventsPerSecond);

/// <summary>Another rebuild holds the store's rebuild lock, on this node or another.</summary>
public sealed class RebuildRunning() : Exception("Another rebuild of the views is running; try again when it has finished.");

/// <summary>
/// Rebuilds views while the service runs, without hiding or losing anything. Each view is folded again from
/// its streams and replaced in place, a page of streams per transaction, never deleted first: reads keep
/// answering the old view until the new one commits. The page's streams are locked (<c>FOR UPDATE</c> on
/// their <c>mt_streams</c> rows, which every append updates), so an append to one of them waits for the
/// page rather than being overwritten by a fold that missed it. A PostgreSQL advisory lock makes one rebuild
/// at a time across every node. Pages of different streams fold two at a time; each reads its events in one
/// query and writes each table's rows in one statement, skipping rows that are already as folded.
/// </summary>
public sealed class ViewRebuilder(IDocumentStore store)
{
    public const int StreamsPerTransaction = 500;
    /// <summary>Pages folded at once; each holds a connection of its own.</summary>
    public const int PagesAtOnce = 2;
    /// <summary>The advisory lock one rebuild holds, across every node on the database.</summary>
    public const long RebuildLock = 0x4c53_5642_4c44;

    public IReadOnlyList<string> Projections => store.Options.Events.Projections().Select(p => p.Name).ToArray();

    /// <summary>Rebuilds every view of <paramref name="organisations"/>, or of every organisation when null.</summary>
    public async Task<RebuildReport> RebuildAsync(IReadOnlyCollection<string>? organisations, IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var gate = store.Storage.Database.CreateConnection();
        await gate.OpenAsync(ct);
        if (!(bool)(await Sql.ScalarAsync(gate, "select pg_try_advisory_lock(@p0)", ct, RebuildLock))!)
        {
            throw new RebuildRunning();
        }

        // Each organisation is read where it lives: under database-per-organisation tenancy, not all in one database.
        var connections = new Dictionary<Marten.Storage.IMartenDatabase, NpgsqlConnection>();
        try
        {
            var tenants = organisations?.ToArray()
                ?? (await Organisation.EveryAsync(store, ct)).Select(o => o.Organisation).Order(StringComparer.Ordinal).ToArray();
            async Task<NpgsqlConnection> ConnectionFor(string tenant)
            {
                var database = await store.Storage.FindOrCreateDatabase(tenant);
                if (!connections.TryGetValue(database, out var connection))
                {
                    connection = database.CreateConnection();
                    await connection.OpenAsync(ct);
                    connections[database] = connection;
                }

                return connection;
            }

            var all = Stopwatch.StartNew();
            long events = 0;
            var aliases = new HashSet<string>(StringComparer.Ordinal);
            foreach (var tenant in tenants)
            {
                var connection = await ConnectionFor(tenant);
                events += Convert.ToInt64(await Sql.ScalarAsync(connection, $"select count(*) from {schema}.mt_events where tenant_id = @p0", ct, tenant), System.Globalization.CultureInfo.InvariantCulture);
                aliases.UnionWith(await Sql.ListAsync<string>(connection, $"select distinct type from {schema}.mt_streams where type is not null and tenant_id = @p0", ct, tenant));
            }

            var rebuilt = new List<ProjectionRebuilt>();
            // A stream's type is its aggregate's alias ("service_redesign"); each such aggregate is its own view.
            var views = Projections.ToHashSet();
            var viewTypes = typeof(ViewRebuilder).Assembly.GetTypes()
                .Where(t => views.Contains(t.Name) && t.Namespace?.StartsWith(nameof(LearningSystem), StringComparison.Ordinal) == true && !t.IsAbstract)
                .GroupBy(t => LearningSystem.Http.WireJson.Alias(t.Name), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            foreach (var alias in aliases.Order(StringComparer.Ordinal))
            {
                if (!viewTypes.TryGetValue(alias, out var type))
                {
                    continue;
                }

                var watch = Stopwatch.StartNew();
                var refold = typeof(ViewRebuilder).GetMethod(nameof(RefoldAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.MakeGenericMethod(type);
                foreach (var tenant in tenants)
                {
                    await (Task)refold.Invoke(this, [await ConnectionFor(tenant), tenant, alias, progress, ct])!;
                }

                rebuilt.Add(new ProjectionRebuilt(type.Name, Math.Round(watch.Elapsed.TotalSeconds, 3)));
            }

            var decisions = Stopwatch.StartNew();
            foreach (var tenant in tenants)
            {
                await IndexDecisionsAsync(tenant, ct);
            }

            rebuilt.Add(new ProjectionRebuilt(nameof(DecisionIndex), Math.Round(decisions.Elapsed.TotalSeconds, 3)));
            var total = all.Elapsed.TotalSeconds;
            return new RebuildReport(tenants, rebuilt, events, Math.Round(total, 3), Math.Round(events / Math.Max(total, 0.001)));
        }
        finally
        {
            // The connection may go back to the pool without a reset, so the lock is let go of explicitly.
            await Sql.ScalarAsync(gate, "select pg_advisory_unlock(@p0)", CancellationToken.None, RebuildLock);
            foreach (var connection in connections.Values)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private async Task RefoldAsync<T>(NpgsqlConnection connection, string tenant, string alias, IProgress<RebuildProgress>? progress, CancellationToken ct) where T : class
    {
        var schema = store.Options.DatabaseSchemaName;
        var streams = await Sql.ListAsync<Guid>(connection, $"select id from {schema}.mt_streams where tenant_id = @p0 and type = @p1 order by id", ct, tenant, alias);
        var done = 0;
        // Pages hold disjoint streams, so they fold side by side: one folds in .NET while another writes in PostgreSQL.
        await Parallel.ForEachAsync(streams.Chunk(StreamsPerTransaction), new ParallelOptions { MaxDegreeOfParallelism = PagesAtOnce, CancellationToken = ct }, async (page, ct) =>
        {
            // NOWAIT: a page never waits for a lock while holding others, so it cannot deadlock with an append
            // that touches several streams, or with another page. A page that finds one busy is folded stream by stream instead.
            if (!await RefoldPageAsync<T>(tenant, page, wait: false, ct))
            {
                foreach (var stream in page)
                {
                    await RefoldPageAsync<T>(tenant, [stream], wait: true, ct);
                }
            }

            progress?.Report(new RebuildProgress(typeof(T).Name, Interlocked.Add(ref done, page.Length), streams.Count, 0, null));
        });
    }

    private async Task<bool> RefoldPageAsync<T>(string tenant, Guid[] page, bool wait, CancellationToken ct) where T : class
    {
        await using var session = store.LightweightSession(tenant);
        await session.BeginTransactionAsync(ct);
        try
        {
            await session.QueryAsync<Guid>(
                $"select id from {store.Options.DatabaseSchemaName}.mt_streams where tenant_id = ? and id = any(?) for update{(wait ? "" : " nowait")}", ct, tenant, page);
        }
        catch (Marten.Exceptions.MartenCommandException e) when (!wait && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable })
        {
            return false;
        }

        // The page's events in one query, folded in memory with the aggregate's own Create and Apply, as replays fold.
        var events = await PageOfEvents.ReadAsync((NpgsqlConnection)session.Connection!, store.Options, tenant, page, ct);
        var views = new PageOfViews(store.Options);
        foreach (var id in page)
        {
            T? folded = null;
            var stream = events.GetValueOrDefault(id) ?? [];
            // A decision answers only its own proposal's objections, so each stream's objections fold on their own.
            var objections = new Dictionary<Guid, LearningSystem.Negotiating.Objecting.Objection>();
            foreach (var e in stream)
            {
                folded = LearningSystem.History.Evolution<T>.Evolve(folded, e.Data, e.Version);
                // A stream's per-move records are written with its view, under the same lock; the last one per id stands.
                StoreRecordOf(views, e, objections);
            }

            if (folded is not null)
            {
                views.Store(id, folded, stream[^1].Version);
            }
            else
            {
                views.Delete<T>(id);
            }
        }

        views.QueueOn(session, tenant);
        await session.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>The record a move keeps beside its stream's view: an endorsement, an objection, or a respondent's ballot.</summary>
    private static void StoreRecordOf(PageOfViews views, Folded e, Dictionary<Guid, LearningSystem.Negotiating.Objecting.Objection> objections)
    {
        foreach (var objection in LearningSystem.Negotiating.Objecting.Objection.Track(objections, e.Data, e.Version))
        {
            views.Store(objection.Id, objection, e.Version);
        }

        switch (e.Data)
        {
            case LearningSystem.Negotiating.ProposalEndorsed x:
                var endorsement = LearningSystem.Negotiating.Endorsing.Endorsement.From(x, e.Version);
                views.Store(endorsement.Id, endorsement, e.Version);
                break;
            case LearningSystem.Rounds.InterimRankingSubmitted x:
                var ballot = LearningSystem.Rounds.Ranking.InterimBallot.From(x, e.Version);
                views.Store(ballot.Id, ballot, e.Version);
                break;
        }
    }

    /// <summary>Decisions are indexed from their own immutable events, so an entry written again is the same entry.</summary>
    private async Task IndexDecisionsAsync(string tenant, CancellationToken ct)
    {
        await using var session = store.LightweightSession(tenant);
        var decided = await session.Events.QueryAllRawEvents()
            .Where(e => e.EventTypesAre(typeof(PriorityDecided), typeof(ChangeDecided)))
            .ToListAsync(ct);
        foreach (var e in decided)
        {
            session.Store(e.Data switch
            {
                PriorityDecided d => DecisionIndex.Of(d, e.StreamId, e.Version),
                ChangeDecided d => DecisionIndex.Of(d, e.StreamId, e.Version),
                _ => throw new InvalidOperationException(e.EventTypeName),
            });
        }

        await session.SaveChangesAsync(ct);
    }
}

/// <summary><c>dotnet run --project src/LearningSystem -- rebuild-views</c>: rebuilds every view of every organisation, showing progress.</summary>
[Description("Rebuilds every view from the events, with progress; safe while the service runs", Name = "rebuild-views")]
public sealed class RebuildViewsCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var rebuilder = new ViewRebuilder(host.Services.GetRequiredService<IDocumentStore>());
        var report = await rebuilder.RebuildAsync(null, new Progress<RebuildProgress>(p => Console.WriteLine(
            $"{p.Projection}: {p.EventsDone:N0} of {p.Events:N0} streams")), CancellationToken.None);
        Console.WriteLine($"Rebuilt {report.Projections.Count} views of {report.Organisations.Count} organisations over {report.Events:N0} events in {report.Seconds:N1} s.");
        return true;
    }
}

/// <summary>Which organisations to rebuild: the one the request acts for, or every one the client is granted.</summary>
public sealed record RebuildViews(bool? EveryOrganisation = null);

public static class RebuildEndpoint
{
    /// <summary>
    /// Rebuilds the views of the organisation the request acts for (or, with <c>everyOrganisation</c>, of every
    /// organisation the client is granted) and answers when done. Reads and writes go on meanwhile; a second
    /// rebuild while one runs is a 409.
    /// </summary>
    [WolverinePost("/api/admin/rebuilds", OperationId = "rebuildViews"), Tags(Analysis.AnalysisModule.Tag)]
    [ProducesResponseType<RebuildReport>(200, "application/json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    public static async Task<RebuildReport> Post(RebuildViews command, HttpContext http, IDocumentStore store, CancellationToken ct)
    {
        var grants = http.User.Grants();
        IReadOnlyCollection<string>? organisations = command.EveryOrganisation == true
            ? grants.Contains(ClientClaims.EveryOrganisation) ? null : grants
            : [http.User.FindFirst(ClientClaims.Organisation)!.Value];
        try
        {
            return await new ViewRebuilder(store).RebuildAsync(organisations, null, ct);
        }
        catch (RebuildRunning running)
        {
            throw Rejected.Conflict(running.Message);
        }
    }
}
