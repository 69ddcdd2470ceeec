using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using LearningSystem.LocalPostgres;
using Npgsql;

namespace LearningSystem.Tests.Organisations;

/// <summary>
/// The move an organisation is given a database of its own by, made while it takes commands: two nodes, writers
/// through both, each retrying with its Idempotency-Key when a node answers 503 (the organisation is moving) or
/// 409 (the same key still running), as a hospital system does.
/// </summary>
[Collection(ServiceProcess.Collection)]
public sealed class MovingUnderLoad(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string Key = "moving-tests-key";
    private const string Moving = "st-lukes";
    private const int Writers = 8;
    private readonly string _signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportECPrivateKeyPem();
    private string _shared = "";
    private string _own = "";

    public async Task InitializeAsync()
    {
        _shared = await TestDatabase.AcquireAsync("moving");
        _own = new NpgsqlConnectionStringBuilder(_shared) { Database = "moving_st_lukes" }.ConnectionString;
        await LocalPostgresServer.EnsureDatabaseAsync(_own);
    }

    public Task DisposeAsync() => TestDatabase.ReleaseAsync();

    // The writers send far more than a client's default rate.
    private string[] Settings() => OrganisationNodes.Settings(_shared, Key, _signingKey, [Moving], "--Clients:tests:RequestsPerMinute=10000000");

    private static HttpClient For(ServiceProcess node) => OrganisationNodes.For(node, Key, Moving);

    [Fact]
    public async Task An_organisation_moved_while_writers_run_through_two_nodes_keeps_every_acknowledged_command_once_and_its_chain()
    {
        await using var first = await ServiceProcess.StartAsync(Key, Settings());
        var indexes = (await Storage.SchemaObjects.ReadAsync(_shared)).Keys.Where(k => k.StartsWith("index mt_", StringComparison.Ordinal)).ToArray();
        await using var second = await ServiceProcess.StartAsync(Key, Settings());
        using var client = For(first);
        using var registered = await client.PostAsJsonAsync("/api/participants", new { displayName = "Jenny", stakeholderGroup = "student" });
        var jenny = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        for (var i = 0; i < 20; i++)
        {
            using var set = await client.PostAsJsonAsync("/api/priorities", new { statement = $"before-{i}", rationale = "Before the move", setBy = jenny });
            Assert.Equal(HttpStatusCode.Created, set.StatusCode);
        }

        (await client.PostAsync(new Uri("/api/audit/checkpoints", UriKind.Relative), null)).EnsureSuccessStatusCode();
        var kept = (await client.GetStringAsync(new Uri("/api/audit/checkpoints.ndjson", UriKind.Relative)))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
        Assert.Single(kept);

        // Each writer sets priorities named by their keys, through one node or the other, until told to stop.
        var acknowledged = new ConcurrentDictionary<string, Guid>();
        var unexpected = new ConcurrentQueue<string>();
        var retried = 0;
        using var stop = new CancellationTokenSource();
        async Task WriteAsync(int writer)
        {
            using var http = For(writer % 2 == 0 ? first : second);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var key = $"writer-{writer}-{n}";
                // A key once sent is sent until answered, as a client that must not lose a command does.
                for (var attempt = 0; ; attempt++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/priorities")
                    {
                        Content = JsonContent.Create(new { statement = key, rationale = "Written while the organisation moves", setBy = jenny }),
                        Headers = { { "Idempotency-Key", key } },
                    };
                    using var answer = await http.SendAsync(request);
                    if (answer.StatusCode == HttpStatusCode.Created)
                    {
                        acknowledged[key] = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
                        break;
                    }

                    if (answer.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.Conflict && attempt < 600)
                    {
                        Interlocked.Increment(ref retried);
                        await Task.Delay(50);
                        continue;
                    }

                    unexpected.Enqueue($"{key}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
                    break;
                }
            }
        }

        // The writers start before the move and stop only after it, so it runs under their load throughout.
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(w))).ToArray();

        // Bounded: it also ends when a writer failed, or when every writer has stopped.
        async Task AcknowledgedAtLeastAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (acknowledged.Count < count && unexpected.IsEmpty && !writers.All(w => w.IsCompleted) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }

        await AcknowledgedAtLeastAsync(40);
        var moved = await ServiceProcess.RunToEndAsync(OrganisationNodes.Environment(_shared, _signingKey), "move-organisation", Moving, _own);
        var atMove = acknowledged.Count;
        // Writers go on after the move until a good many more have landed in the new database.
        await AcknowledgedAtLeastAsync(atMove + 40);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Assert.True(moved.ExitCode == 0, moved.Output + moved.Error);
        Assert.Contains($"Moved {Moving}", moved.Output, StringComparison.Ordinal);
        Assert.True(unexpected.IsEmpty, $"{string.Join("\n", unexpected.Take(20))}\nThe move: {moved.Output}{moved.Error}\nWhat the nodes could not handle:\n{Unhandled(first)}\n{Unhandled(second)}");
        output.WriteLine($"{acknowledged.Count} commands acknowledged, {atMove} by the move's end, {retried} answers retried; {moved.Output}");

        // Every acknowledged command is in the organisation's own database, once; none is left in the shared one.
        var statements = await PrioritiesSetAsync(_own);
        Assert.All(acknowledged, a => Assert.Equal(1, statements.GetValueOrDefault(a.Key)));
        Assert.All(statements, s => Assert.Equal(1, s.Value));
        Assert.Empty(await PrioritiesSetAsync(_shared));

        // The nodes' first use of the new database kept every index the shared one was made with (Marten's check of a
        // table drops the indexes it does not know unless told they are ours).
        Assert.Empty(indexes.Except((await Storage.SchemaObjects.ReadAsync(_own)).Keys));
        foreach (var node in new[] { first, second })
        {
            using var reader = For(node);
            foreach (var (key, id) in acknowledged.Take(10))
            {
                var priority = await reader.GetFromJsonAsync<JsonElement>($"/api/priorities/{id}");
                Assert.Equal(key, priority.GetProperty("statement").GetString());
            }

            // The chain verifies where the organisation now lives, and the checkpoint kept before the move still holds.
            var report = await reader.GetFromJsonAsync<JsonElement>("/api/audit/verify");
            Assert.True(report.GetProperty("intact").GetBoolean(), report.GetRawText());
            Assert.Equal(statements.Count + 21, report.GetProperty("eventsChecked").GetInt64());
            using var consistency = await reader.PostAsJsonAsync("/api/audit/consistency", new { checkpoints = kept });
            var checkedAgainst = await consistency.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(checkedAgainst.GetProperty("consistent").GetBoolean(), checkedAgainst.GetRawText());
        }
    }

    /// <summary>The first error a node answered 500 for, with what it logged after it.</summary>
    private static string Unhandled(ServiceProcess node)
    {
        var log = node.Output;
        var at = log.IndexOf("Unhandled error", StringComparison.Ordinal);
        return at < 0 ? "(none)" : log[Math.Max(0, at - 500)..Math.Min(log.Length, at + 6000)];
    }

    /// <summary>How many times each priority statement was set in the organisation's events in that database.</summary>
    private static async Task<Dictionary<string, int>> PrioritiesSetAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select data ->> 'statement', count(*)::int from learningsystem.mt_events where tenant_id = @tenant and type = 'priority_set' and data ->> 'statement' like 'writer-%' group by 1",
            connection);
        command.Parameters.AddWithValue("tenant", Moving);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt32(1);
        }

        return counts;
    }
}
