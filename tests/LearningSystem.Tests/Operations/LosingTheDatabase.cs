using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LearningSystem.LocalPostgres;

namespace LearningSystem.Tests.Operations;

/// <summary>PostgreSQL gone from under a running service: a clear 503 to retry, never a 500, and the service answers again once it is back.</summary>
[Collection(ServiceProcess.Collection)]
public sealed class LosingTheDatabase
{
    private const string Key = "lost-database-key";

    [Fact]
    public async Task A_command_while_postgres_is_down_is_a_503_with_retry_after_and_works_again_when_it_is_back()
    {
        var folder = LocalPostgresOptions.NewThrowawayFolder("lost");
        // Not a throwaway at first: stopping a throwaway deletes it, and this one is started again.
        var options = new LocalPostgresOptions { Folder = folder, Database = "lost" };
        await using var postgres = await LocalPostgresServer.StartAsync(options);
        await using var node = await ServiceProcess.StartAsync(Key, ServiceProcess.Settings($"{postgres.ConnectionString};Timeout=3", Key, "--Audit:CheckpointMinutes=0"));
        using (var first = await node.Client.PostAsJsonAsync("/api/participants", Requests.Jenny))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        postgres.Stop();
        using (var refused = await node.Client.PostAsJsonAsync("/api/participants", Requests.Jenny))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
            Assert.Equal("The database is unavailable.", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }

        using (var read = await node.Client.GetAsync(new Uri("/api/priorities", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        }

        await using var back = await LocalPostgresServer.StartAsync(options with { Port = postgres.Port, Throwaway = true });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            using var again = await node.Client.PostAsJsonAsync("/api/participants", Requests.Jenny);
            status = again.StatusCode;
        }
        while (status != HttpStatusCode.Created && DateTime.UtcNow < deadline && await Task.Delay(500).ContinueWith(_ => true));

        Assert.Equal(HttpStatusCode.Created, status);
    }
}
