using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using LearningSystem.LocalPostgres;
using Npgsql;
using Xunit.Abstractions;

namespace LearningSystem.Tests.Organisations;

/// <summary>
/// Database-per-organisation tenancy across two PostgreSQL clusters, as docs/deploying.md runs it: Jenny's story in
/// three organisations of the shared database (cluster A), then, while a node serves, one moved into a database
/// of its own on cluster A and one onto cluster B, and a new one added on cluster B. Each is checked where it
/// now lives: its chain against the checkpoints made before the move, its export, and that no other's rows are there.
/// </summary>
[Collection(ServiceProcess.Collection)]
public sealed class OrganisationsInDatabasesOfTheirOwn(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Key = "tenancy-tests-key";
    private const string Stays = "st-marys";
    private const string MovesNear = "st-lukes";
    private const string MovesFar = "st-judes";
    private const string Added = "st-bart";
    private static readonly string[] Organisations = [Stays, MovesNear, MovesFar, Added];
    private readonly string _signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportECPrivateKeyPem();
    private string _shared = "";
    private string _near = "";
    private LocalPostgresServer? _farServer;
    private string _far = "";
    private string _added = "";

    public async Task InitializeAsync()
    {
        _shared = await TestDatabase.AcquireAsync("tenancy");
        _near = new NpgsqlConnectionStringBuilder(_shared) { Database = "tenancy_st_lukes" }.ConnectionString;
        await LocalPostgresServer.EnsureDatabaseAsync(_near);
        _farServer = await LocalPostgresServer.StartAsync(new LocalPostgresOptions
        {
            Folder = LocalPostgresOptions.NewThrowawayFolder("tests-far"),
            Database = "st_judes",
            Throwaway = true,
        });
        _far = _farServer.ConnectionString;
        _added = new NpgsqlConnectionStringBuilder(_far) { Database = "st_bart" }.ConnectionString;
        await LocalPostgresServer.EnsureDatabaseAsync(_added);
    }

    public async Task DisposeAsync()
    {
        if (_farServer is not null)
        {
            await _farServer.DisposeAsync();
        }

        await TestDatabase.ReleaseAsync();
    }

    private string[] Settings() => OrganisationNodes.Settings(_shared, Key, _signingKey, Organisations.Skip(1));

    private Dictionary<string, string> Environment() => OrganisationNodes.Environment(_shared, _signingKey);

    private static HttpClient For(ServiceProcess node, string organisation) => OrganisationNodes.For(node, Key, organisation);

    private static async Task<List<string>> TenantsAsync(string connectionString, string table = "mt_events")
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select distinct tenant_id from learningsystem.{table} order by 1", connection);
        var tenants = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tenants.Add(reader.GetString(0));
        }

        return tenants;
    }

    private static async Task<(bool Intact, int Checkpoints, long Events)> VerifyAsync(HttpClient client)
    {
        var report = await client.GetFromJsonAsync<JsonElement>("/api/audit/verify");
        var checkpoints = report.GetProperty("checkpoints").EnumerateArray().ToArray();
        Assert.All(checkpoints, c => Assert.True(c.GetProperty("matches").GetBoolean(), report.GetRawText()));
        Assert.True(report.GetProperty("signaturesChecked").GetBoolean());
        return (report.GetProperty("intact").GetBoolean(), checkpoints.Length, report.GetProperty("eventsChecked").GetInt64());
    }

    /// <summary>Every exported event's id and sequence number, in order.</summary>
    private static async Task<string[]> ExportAsync(HttpClient client) =>
        (await client.GetStringAsync(new Uri("/api/export/events", UriKind.Relative)))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => JsonDocument.Parse(l).RootElement)
        .Where(e => e.TryGetProperty("seq", out _) || e.TryGetProperty("sequence", out _))
        .Select(e => e.GetRawText())
        .ToArray();

    [Fact]
    public async Task Organisations_move_into_their_own_databases_on_two_servers_and_verify_there_against_checkpoints_made_before()
    {
        await using var node = await ServiceProcess.StartAsync(Key, Settings());
        var stories = new Dictionary<string, JennysStory.StoryOutcome>();
        var exports = new Dictionary<string, string[]>();
        foreach (var organisation in new[] { Stays, MovesNear, MovesFar })
        {
            using var client = For(node, organisation);
            stories[organisation] = await JennysStory.Story.PlayAsync(client, TextWriter.Null);
            // A patient's second comment names the key it was sealed under, which the erasure then destroys:
            // the copy must carry both, although the key is copied after the events and is no longer live.
            foreach (var comment in new[] { "First visit", "Second visit" })
            {
                using var recorded = await client.PostAsJsonAsync("/api/patient-feedback", new
                {
                    service = "Outpatient Diabetes Clinic", source = "kiosk", receivedAt = DateTimeOffset.UtcNow, rating = "poor", comment,
                    patientRef = "kiosk-erased", consent = new[] { "serviceImprovement" },
                });
                Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
            }

            using (var erased = await client.PostAsJsonAsync("/api/patient-feedback/subjects/kiosk-erased/erasure", new
            {
                reason = "The patient asked for their words to be erased.", legalBasis = "consentWithdrawn", requestedBy = stories[organisation].People["okafor"],
            }))
            {
                Assert.True(erased.IsSuccessStatusCode, await erased.Content.ReadAsStringAsync());
            }

            (await client.PostAsync(new Uri("/api/audit/checkpoints", UriKind.Relative), null)).EnsureSuccessStatusCode();
            exports[organisation] = await ExportAsync(client);
            Assert.NotEmpty(exports[organisation]);
        }

        Assert.Equal([MovesFar, MovesNear, Stays], await TenantsAsync(_shared));

        // While it moves: its appends in the shared database are refused, with a problem a client can act on.
        await using (var shared = new NpgsqlConnection(_shared))
        {
            await shared.OpenAsync();
            await using (var moving = new NpgsqlCommand("insert into learningsystem.organisations_moved (tenant_id, moved_to) values ('st-marys', 'nowhere')", shared))
            {
                await moving.ExecuteNonQueryAsync();
            }

            using var client = For(node, Stays);
            using var refused = await client.PostAsJsonAsync("/api/participants", new { displayName = "Ms Ade", stakeholderGroup = "carer" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Contains("moving", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            await using var back = new NpgsqlCommand("delete from learningsystem.organisations_moved where tenant_id = 'st-marys'", shared);
            await back.ExecuteNonQueryAsync();
            using var accepted = await client.PostAsJsonAsync("/api/participants", new { displayName = "Ms Ade", stakeholderGroup = "carer" });
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
            exports[Stays] = await ExportAsync(client);
        }

        // The moves, with the node serving throughout.
        var near = await ServiceProcess.RunToEndAsync(Environment(), "move-organisation", MovesNear, _near);
        Assert.True(near.ExitCode == 0, near.Output + near.Error);
        Assert.Contains($"Moved {MovesNear}", near.Output, StringComparison.Ordinal);
        output.WriteLine(near.Output);
        // A run that stopped after refusing the organisation's appends, and before copying: the next run finishes.
        await using (var shared = new NpgsqlConnection(_shared))
        {
            await shared.OpenAsync();
            await using var stopped = new NpgsqlCommand("insert into learningsystem.organisations_moved (tenant_id, moved_to) values ('st-judes', 'an earlier run')", shared);
            await stopped.ExecuteNonQueryAsync();
        }

        var far = await ServiceProcess.RunToEndAsync(Environment(), "move-organisation", MovesFar, _far);
        Assert.True(far.ExitCode == 0, far.Output + far.Error);
        output.WriteLine(far.Output);
        var again = await ServiceProcess.RunToEndAsync(Environment(), "move-organisation", MovesFar, _near);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already lives in", again.Error, StringComparison.Ordinal);
        // Run again once done, a move only makes sure nothing is left in the shared database.
        var finished = await ServiceProcess.RunToEndAsync(Environment(), "move-organisation", MovesNear, _near);
        Assert.True(finished.ExitCode == 0, finished.Output + finished.Error);
        Assert.Contains($"Finished moving {MovesNear}", finished.Output, StringComparison.Ordinal);
        var added = await ServiceProcess.RunToEndAsync(Environment(), "add-organisation", Added, _added);
        Assert.True(added.ExitCode == 0, added.Output + added.Error);

        // Each database holds its organisation's rows and no other's; the shared one keeps only what stayed.
        Assert.Equal([Stays], await TenantsAsync(_shared));
        Assert.Equal([Stays], await TenantsAsync(_shared, "mt_doc_subjectkey"));
        Assert.Equal([MovesNear], await TenantsAsync(_near));
        Assert.Equal([MovesFar], await TenantsAsync(_far));

        // The running node, and a node started now, find every organisation where it lives.
        await using var second = await ServiceProcess.StartAsync(Key, Settings());
        foreach (var serving in new[] { node, second })
        {
            foreach (var organisation in new[] { Stays, MovesNear, MovesFar })
            {
                using var client = For(serving, organisation);
                var (intact, checkpoints, _) = await VerifyAsync(client);
                Assert.True(intact, organisation);
                Assert.Equal(1, checkpoints);
                Assert.Equal(exports[organisation], await ExportAsync(client));
                var agreed = await client.GetFromJsonAsync<JsonElement>($"/api/priorities/{stories[organisation].AgreedPriority}");
                Assert.Equal(stories[organisation].AgreedPriority, agreed.GetProperty("id").GetGuid());
                // Isolation: another organisation's priority is not found here.
                var other = organisation == Stays ? MovesFar : Stays;
                using var foreign = await client.GetAsync(new Uri($"/api/priorities/{stories[other].AgreedPriority}", UriKind.Relative));
                Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
            }
        }

        // The moved chains go on in their new databases, and checkpoint there.
        foreach (var organisation in new[] { MovesNear, MovesFar })
        {
            using var client = For(second, organisation);
            var story = stories[organisation];
            // An existing stream's chain goes on from its copied link (a priority still open to objections), and a new stream starts one.
            var answers = new List<HttpStatusCode>();
            foreach (var priority in story.Priorities)
            {
                using var objected = await client.PostAsJsonAsync($"/api/priorities/{priority}/objections", new { by = story.People["okafor"], reason = "After the move" });
                answers.Add(objected.StatusCode);
            }

            Assert.Contains(HttpStatusCode.Created, answers);
            // Sent twice with one key, to different nodes: one priority, the first answer twice.
            var answered = new List<string>();
            foreach (var serving in new[] { second, node })
            {
                using var keyed = For(serving, organisation);
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/priorities")
                {
                    Content = JsonContent.Create(new { statement = "Evening clinics", rationale = "After the move", setBy = story.People["okafor"] }),
                    Headers = { { "Idempotency-Key", $"after-the-move-{organisation}" } },
                };
                using var set = await keyed.SendAsync(request);
                Assert.Equal(HttpStatusCode.Created, set.StatusCode);
                answered.Add(await set.Content.ReadAsStringAsync());
            }

            Assert.Equal(answered[0], answered[1]);

            // The audit export reads the organisation's own database.
            var export = (await client.GetStringAsync(new Uri("/api/audit/export", UriKind.Relative))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(organisation, JsonDocument.Parse(export[0]).RootElement.GetProperty("organisation").GetString());
            Assert.True(export.Length > exports[organisation].Length, $"{export.Length} lines");

            (await client.PostAsync(new Uri("/api/audit/checkpoints", UriKind.Relative), null)).EnsureSuccessStatusCode();
            var (intact, checkpoints, _) = await VerifyAsync(client);
            Assert.True(intact);
            Assert.Equal(2, checkpoints);
        }

        Assert.Equal([Stays], await TenantsAsync(_shared));
        Assert.Equal([MovesFar], await TenantsAsync(_far));

        // The organisation added while the nodes ran: its first events land in its own database.
        using (var client = For(node, Added))
        {
            using var created = await client.PostAsJsonAsync("/api/participants", new { displayName = "Mr Lowe", stakeholderGroup = "patient" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        Assert.Equal([Added], await TenantsAsync(_added));
        Assert.Equal([Stays], await TenantsAsync(_shared));

        // A rebuild of every view finds each organisation where it lives, once, and the views read as before.
        var rebuilt = await ServiceProcess.RunToEndAsync(Environment(), "rebuild-views");
        Assert.True(rebuilt.ExitCode == 0, rebuilt.Output + rebuilt.Error);
        Assert.Contains($"of {Organisations.Length} organisations", rebuilt.Output, StringComparison.Ordinal);
        foreach (var organisation in new[] { Stays, MovesNear, MovesFar })
        {
            using var client = For(node, organisation);
            var round = await client.GetFromJsonAsync<JsonElement>($"/api/rounds/{stories[organisation].Round}");
            Assert.Equal(stories[organisation].Round, round.GetProperty("id").GetGuid());
        }
    }
}
