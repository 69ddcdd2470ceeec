using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace LearningSystem.Tests.Operations;

/// <summary>A keyed command whose process was killed after it committed and before it answered: the retry gets its answer, and nothing runs twice.</summary>
[Collection(ServiceProcess.Collection)]
public sealed class SurvivingCrashes : IAsyncLifetime
{
    private const string Key = "crash-tests-key";
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestDatabase.AcquireAsync("crash");

    public Task DisposeAsync() => TestDatabase.ReleaseAsync();

    private Task<ServiceProcess> StartAsync(params string[] more) =>
        ServiceProcess.StartAsync(Key, ServiceProcess.Settings(_connectionString, Key, ["--Audit:CheckpointMinutes=0", .. more]));

    private async Task<long> EventsOfAsync(Guid stream)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from learningsystem.mt_events where stream_id = @s", connection);
        count.Parameters.AddWithValue("s", stream);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static HttpRequestMessage Endorse(Guid priority, Guid by) => new(HttpMethod.Post, $"/api/priorities/{priority}/endorsements")
    {
        Content = JsonContent.Create(new { by }),
        Headers = { { "Idempotency-Key", "endorse-once" } },
    };

    [Fact]
    public async Task A_process_killed_between_the_append_and_the_answer_leaves_an_answer_the_retry_gets()
    {
        Guid priority, patient;
        // The first process holds every keyed answer for a minute after its commit: time enough to kill it there.
        await using (var first = await StartAsync("--Testing:HoldAnswersMilliseconds=60000"))
        {
            patient = (await (await first.Client.PostAsJsonAsync("/api/participants", new { displayName = "Mr Okafor", stakeholderGroup = "patient" }))
                .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            priority = (await (await first.Client.PostAsJsonAsync("/api/priorities", new { statement = "Shorter waits", rationale = "r", setBy = patient }))
                .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

            var inFlight = first.Client.SendAsync(Endorse(priority, patient));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await EventsOfAsync(priority) < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Equal(2, await EventsOfAsync(priority));
            Assert.False(inFlight.IsCompleted, "the answer should still be held when the process is killed");
            await first.KillAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => inFlight);
        }

        await using var second = await StartAsync();
        var retry = await second.Client.SendAsync(Endorse(priority, patient));

        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("\"2\"", retry.Headers.ETag?.ToString());
        Assert.Equal(2, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64());
        Assert.Equal(2, await EventsOfAsync(priority));
        var view = await second.Client.GetFromJsonAsync<JsonElement>($"/api/priorities/{priority}");
        Assert.Equal(1, view.GetProperty("negotiation").GetProperty("endorsements").GetInt32());
        var endorsements = await second.Client.GetFromJsonAsync<JsonElement>($"/api/priorities/{priority}/endorsements");
        Assert.Equal([patient], endorsements.EnumerateArray().Select(e => e.GetProperty("by").GetGuid()));
    }

    [Fact]
    public async Task Killed_under_write_load_it_loses_no_acknowledged_command_and_every_in_flight_one_can_be_retried()
    {
        // Short requests, so that a claim left by a killed command is taken over within seconds.
        string[] settings = ["--Limits:RequestTimeoutSeconds=3"];
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        var inFlight = new System.Collections.Concurrent.ConcurrentBag<(string Key, string Url, object Body)>();
        Guid jenny;
        await using (var first = await StartAsync(settings))
        {
            jenny = (await (await first.Client.PostAsJsonAsync("/api/participants", Requests.Jenny)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var key = $"load-{w}-{i}";
                    object body = new { statement = key, rationale = "under load", setBy = jenny };
                    try
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/priorities") { Content = JsonContent.Create(body), Headers = { { "Idempotency-Key", key } } };
                        using var answer = await first.Client.SendAsync(request);
                        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
                        acknowledged[key] = await answer.Content.ReadAsStringAsync();
                    }
                    catch (HttpRequestException)
                    {
                        inFlight.Add((key, "/api/priorities", body));
                        return;
                    }
                }
            })).ToArray();

            await Task.Delay(TimeSpan.FromSeconds(3));
            await first.KillAsync();
            await Task.WhenAll(writers);
        }

        Assert.True(acknowledged.Count > 20, $"only {acknowledged.Count} commands were acknowledged before the kill");
        await using var second = await StartAsync(settings);

        // Every in-flight command, retried with its key as a client retries (again after a 504 or 409 "still
        // running", until the dead attempt's lease has run out), gets an answer: the stored one, or a first run.
        foreach (var (key, url, body) in inFlight)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body), Headers = { { "Idempotency-Key", key } } };
                using var answer = await second.Client.SendAsync(request);
                if (answer.StatusCode is HttpStatusCode.GatewayTimeout or HttpStatusCode.Conflict && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(500);
                    continue;
                }

                Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
                acknowledged[key] = await answer.Content.ReadAsStringAsync();
                break;
            }
        }

        // Every acknowledged command's priority exists exactly once, and its view equals its events.
        var statements = new List<string>();
        for (var url = $"/api/participants/{jenny}/priorities?limit=1000"; url is not null;)
        {
            using var page = await second.Client.GetAsync(new Uri(url, UriKind.Relative));
            statements.AddRange((await page.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(p => p.GetProperty("statement").GetString()!));
            url = page.Headers.TryGetValues("Link", out var links) ? links.Single().Split(';')[0].Trim('<', '>', ' ') : null;
        }

        // Named apart, so that a failure says which promise broke: a lost command, or one run twice.
        Assert.Empty(acknowledged.Keys.Except(statements));
        Assert.Empty(statements.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Equal(acknowledged.Keys.Order(), statements.Order());
        foreach (var answer in acknowledged.Values.Take(20))
        {
            var id = JsonDocument.Parse(answer).RootElement.GetProperty("id").GetGuid();
            var view = await second.Client.GetStringAsync(new Uri($"/api/priorities/{id}", UriKind.Relative));
            var folded = await second.Client.GetStringAsync(new Uri($"/api/priorities/{id}?version=1", UriKind.Relative));
            Assert.Equal(view, folded);
        }

        var verdict = await second.Client.GetFromJsonAsync<JsonElement>("/api/audit/verify");
        Assert.True(verdict.GetProperty("intact").GetBoolean(), verdict.GetRawText());
    }
}
