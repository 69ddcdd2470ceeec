using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LearningSystem.Notifications;

namespace LearningSystem.Tests.Operations;

/// <summary>
/// Three service processes on one PostgreSQL, as behind a load balancer: nothing a client relies on may rest on
/// one process's memory. Each node is the published build (docs/deploying.md) run as a process with the same settings.
/// </summary>
[Collection(ServiceProcess.Collection)]
public sealed class RunningSeveralNodes : IAsyncLifetime
{
    private const string Key = "nodes-tests-key";
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestDatabase.AcquireAsync("nodes");

    public Task DisposeAsync() => TestDatabase.ReleaseAsync();

    private async Task<ServiceProcess[]> StartNodesAsync(params string[] more)
    {
        var settings = ServiceProcess.Settings(_connectionString, Key,
        [
            $"--Webhooks:AllowedHosts:0={Receiver.WebhookHost}/32",
            "--Webhooks:RetryDelaysSeconds:0=1",
            // The receiver listens on plain http, as the tests' receivers do.
            "--Webhooks:RequireHttps=false",
            .. more,
        ]);
        // One at a time the first time, so the schema is made once; then the others start together, as a deployment scales out.
        var first = await ServiceProcess.StartAsync(Key, settings);
        var others = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => ServiceProcess.StartAsync(Key, settings)));
        return [first, .. others];
    }

    private async Task<long> CountAsync(string sql) =>
        Convert.ToInt64(await TestDatabase.ScalarAsync(_connectionString, sql), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<Guid> CreateAsync(ServiceProcess node, string url, object body)
    {
        using var answer = await node.Client.PostAsJsonAsync(url, body);
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        return (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task Three_nodes_share_the_load_answer_retries_erase_and_notify_as_one_and_lose_nothing_when_one_is_killed()
    {
        await using var receiver = new Receiver(Receiver.WebhookHost);
        await receiver.StartAsync();
        var nodes = await StartNodesAsync("--Audit:CheckpointMinutes=0", "--Limits:RequestTimeoutSeconds=3");
        try
        {
            // Load over all three: each node answers its share.
            var jenny = await CreateAsync(nodes[0], "/api/participants", Requests.Jenny);
            var answered = new int[3];
            await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
            {
                await CreateAsync(nodes[i % 3], "/api/priorities", new { statement = $"Priority {i}", rationale = "r", setBy = jenny });
                Interlocked.Increment(ref answered[i % 3]);
            }));
            Assert.All(answered, count => Assert.Equal(10, count));

            // An idempotent retry sent to another node gets the first answer, and the command ran once.
            using (var once = new HttpRequestMessage(HttpMethod.Post, "/api/priorities") { Content = JsonContent.Create(new { statement = "Once", rationale = "r", setBy = jenny }), Headers = { { "Idempotency-Key", "across-nodes" } } })
            using (var again = new HttpRequestMessage(HttpMethod.Post, "/api/priorities") { Content = JsonContent.Create(new { statement = "Once", rationale = "r", setBy = jenny }), Headers = { { "Idempotency-Key", "across-nodes" } } })
            {
                using var first = await nodes[0].Client.SendAsync(once);
                using var retry = await nodes[2].Client.SendAsync(again);
                Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
                Assert.True(retry.Headers.Contains("Idempotent-Replayed"));
                Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
                Assert.Equal(1, await CountAsync("select count(*) from learningsystem.mt_events where data ->> 'statement' = 'Once'"));
            }

            // An erasure on one node reads as erased on the others at once.
            var okafor = await CreateAsync(nodes[1], "/api/participants", new { displayName = "Mr Okafor", stakeholderGroup = "patient" });
            foreach (var node in nodes)
            {
                Assert.Equal("Mr Okafor", (await node.Client.GetFromJsonAsync<JsonElement>($"/api/participants/{okafor}")).GetProperty("displayName").GetString());
            }

            using (var erased = await nodes[0].Client.PostAsJsonAsync($"/api/participants/{okafor}/erasure", new { reason = "Asked to be forgotten", legalBasis = "consentWithdrawn" }))
            {
                Assert.True(erased.IsSuccessStatusCode, await erased.Content.ReadAsStringAsync());
            }

            foreach (var node in nodes)
            {
                Assert.Equal("[erased]", (await node.Client.GetFromJsonAsync<JsonElement>($"/api/participants/{okafor}")).GetProperty("displayName").GetString());
            }

            // A patient erased on one node who writes again through another gets a new key there: the new comment
            // reads, and the old one stays erased, on every node.
            // Two comments, so that the node has read the patient's key back and would have kept it.
            await CreateAsync(nodes[1], "/api/patient-feedback", Requests.Feedback("My first visit"));
            var before = await CreateAsync(nodes[1], "/api/patient-feedback", Requests.Feedback("Before I asked to be forgotten"));
            using (var erased = await nodes[0].Client.PostAsJsonAsync("/api/patient-feedback/subjects/kiosk-7f3a/erasure", new { reason = "Asked to be forgotten", legalBasis = "consentWithdrawn" }))
            {
                Assert.True(erased.IsSuccessStatusCode, await erased.Content.ReadAsStringAsync());
            }

            var after = await CreateAsync(nodes[1], "/api/patient-feedback", Requests.Feedback("After, with new consent"));
            foreach (var node in nodes)
            {
                Assert.Equal("[erased]", (await node.Client.GetFromJsonAsync<JsonElement>($"/api/patient-feedback/{before}")).GetProperty("comment").GetString());
                Assert.Equal("After, with new consent", (await node.Client.GetFromJsonAsync<JsonElement>($"/api/patient-feedback/{after}")).GetProperty("comment").GetString());
            }

            // Webhooks: each answered feedback is delivered once to the subscriber, whichever node took the command.
            using (var subscribed = await nodes[0].Client.PostAsJsonAsync("/api/webhooks", new { url = $"{receiver.Address}answered", topics = new[] { Topics.FeedbackAnswered } }))
            {
                Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
            }

            var feedback = new List<Guid>();
            for (var i = 0; i < 6; i++)
            {
                var id = await CreateAsync(nodes[i % 3], "/api/patient-feedback", Requests.Feedback($"Waited {i} hours"));
                await CreateAsync(nodes[(i + 1) % 3], $"/api/patient-feedback/{id}/responses", new { by = jenny, text = "Thank you; we are looking at it.", action = "acknowledged" });
                feedback.Add(id);
            }

            Assert.True(await receiver.WaitForAsync("/answered", _ => receiver.Received.Count(r => r.Path == "/answered") >= feedback.Count, TimeSpan.FromSeconds(30)));
            await Task.Delay(TimeSpan.FromSeconds(3));
            var deliveries = receiver.Received.Where(r => r.Path == "/answered").Select(r => JsonDocument.Parse(r.Body).RootElement).ToArray();
            Assert.Equal(feedback.Order(), deliveries.Select(d => d.GetProperty("streamId").GetGuid()).Order());

            // One node killed under load over all three: every acknowledged command is stored once.
            var acknowledged = new ConcurrentBag<Guid>();
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        using var answer = await nodes[w % 3].Client.PostAsJsonAsync("/api/priorities", new { statement = $"Under load {w}-{i}", rationale = "r", setBy = jenny });
                        if (answer.StatusCode == HttpStatusCode.Created)
                        {
                            acknowledged.Add((await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // The killed node's writers stop; what it never acknowledged may or may not be stored.
                        return;
                    }
                }
            })).ToArray();
            await Task.Delay(TimeSpan.FromSeconds(2));
            await nodes[2].KillAsync();
            await Task.Delay(TimeSpan.FromSeconds(2));
            await stop.CancelAsync();
            await Task.WhenAll(writers);

            Assert.True(acknowledged.Count > 20, $"only {acknowledged.Count} commands were acknowledged");
            var stored = await CountAsync(
                $"select count(*) from learningsystem.mt_events where type = 'priority_set' and stream_id in ({string.Join(',', acknowledged.Select(a => $"'{a}'"))})");
            Assert.Equal(acknowledged.Count, stored);
            foreach (var priority in acknowledged.Take(20))
            {
                Assert.Equal(HttpStatusCode.OK, (await nodes[0].Client.GetAsync(new Uri($"/api/priorities/{priority}", UriKind.Relative))).StatusCode);
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Three_nodes_started_together_on_an_empty_database_make_the_schema_once_and_all_serve()
    {
        // A database of its own, empty, so that every node finds the schema missing at the same moment.
        var empty = await TestDatabase.AcquireAsync("nodes_empty");
        try
        {
            var settings = ServiceProcess.Settings(empty, Key, "--Audit:CheckpointMinutes=0");
            var starting = Enumerable.Range(0, 3).Select(_ => ServiceProcess.StartAsync(Key, settings)).ToArray();
            ServiceProcess[] nodes;
            try
            {
                nodes = await Task.WhenAll(starting);
            }
            catch
            {
                foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
                {
                    await (await started).DisposeAsync();
                }

                throw;
            }

            try
            {
                foreach (var node in nodes)
                {
                    var jenny = await CreateAsync(node, "/api/participants", Requests.Jenny);
                    await CreateAsync(node, "/api/priorities", new { statement = "Shorter waits", rationale = "r", setBy = jenny });
                }
            }
            finally
            {
                foreach (var node in nodes)
                {
                    await node.DisposeAsync();
                }
            }
        }
        finally
        {
            await TestDatabase.ReleaseAsync();
        }
    }

    [Fact]
    public async Task A_node_started_beside_a_running_one_remakes_nothing_in_the_schema()
    {
        // Marten's check of a table drops an index it does not know; a node that did so on starting would leave the
        // search and acts indexes gone (or rebuilt, with every append waiting) each time a deployment scales out.
        var database = await TestDatabase.AcquireAsync("nodes_again");
        try
        {
            var settings = ServiceProcess.Settings(database, Key, "--Audit:CheckpointMinutes=0");
            await using var first = await ServiceProcess.StartAsync(Key, settings);
            var jenny = await CreateAsync(first, "/api/participants", Requests.Jenny);
            var before = await Storage.SchemaObjects.ReadAsync(database);
            Assert.Contains("index mt_doc_priority_words", before.Keys);
            Assert.Contains("index mt_events_acting_participant", before.Keys);

            await using var second = await ServiceProcess.StartAsync(Key, settings);
            await CreateAsync(second, "/api/priorities", new { statement = "Shorter waits", rationale = "r", setBy = jenny });
            Assert.Equal(before, await Storage.SchemaObjects.ReadAsync(database));
        }
        finally
        {
            await TestDatabase.ReleaseAsync();
        }
    }

    [Fact]
    public async Task Three_nodes_with_checkpoint_timers_make_one_checkpoint_a_period_between_them()
    {
        // A period of three seconds (0.05 minutes), with links settled at once.
        var nodes = await StartNodesAsync("--Audit:CheckpointMinutes=0.05", "--Audit:CheckpointSettleSeconds=0");
        try
        {
            var started = DateTime.UtcNow;
            var jenny = await CreateAsync(nodes[0], "/api/participants", Requests.Jenny);
            for (var i = 0; DateTime.UtcNow - started < TimeSpan.FromSeconds(15); i++)
            {
                await CreateAsync(nodes[i % 3], "/api/priorities", new { statement = $"Priority {i}", rationale = "r", setBy = jenny });
                await Task.Delay(100);
            }

            var seconds = (DateTime.UtcNow - started).TotalSeconds;
            var made = await CountAsync("select count(*) from learningsystem.mt_doc_auditcheckpoint where tenant_id = 'st-marys'");
            // Three timers would make about three a period if each made its own; one a period is about five here.
            Assert.InRange(made, 2, (long)Math.Ceiling(seconds / 3) + 1);
            Assert.Equal(made, await CountAsync("select count(distinct (data ->> 'number')) from learningsystem.mt_doc_auditcheckpoint where tenant_id = 'st-marys'"));
            using var verified = await nodes[1].Client.GetAsync(new Uri("/api/audit/verify", UriKind.Relative));
            var report = await verified.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(report.GetProperty("intact").GetBoolean());
            Assert.All(report.GetProperty("checkpoints").EnumerateArray(), c => Assert.True(c.GetProperty("matches").GetBoolean()));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
