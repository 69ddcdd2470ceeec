using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace LearningSystem.Tests.Hosting;

/// <summary>A keyed command whose process was killed after it committed and before it answered: the retry gets its answer, and nothing runs twice.</summary>
public sealed class SurvivingCrashes : IAsyncLifetime
{
    private const string Key = "crash-tests-key";
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestDatabase.AcquireAsync("crash");

    public Task DisposeAsync() => TestDatabase.ReleaseAsync();

    private Task<ServiceProcess> StartAsync(params string[] more) => ServiceProcess.StartAsync(Key,
    [
        $"--ConnectionStrings:LearningSystem={_connectionString}",
        $"--Clients:crash:KeyHash={LearningSystem.Access.ApiClientRegistry.Hash(Key)}",
        .. LearningSystem.Access.Scopes.All.Select((scope, i) => $"--Clients:crash:Scopes:{i}={scope}"),
        "--Clients:crash:Organisations:0=st-marys",
        "--PersonalData:MasterKeys:crash-1=" + Convert.ToBase64String(new byte[32]),
        "--PersonalData:ActiveMasterKey=crash-1",
        "--Audit:CheckpointMinutes=0",
        .. more,
    ]);

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
        Assert.Equal([patient], view.GetProperty("negotiation").GetProperty("endorsedBy").EnumerateArray().Select(e => e.GetGuid()));
    }
}
