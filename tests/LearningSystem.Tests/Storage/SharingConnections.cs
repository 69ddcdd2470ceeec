using System.Net;
using System.Text;

namespace LearningSystem.Tests.Storage;

/// <summary>The service with a pool of two connections, so that every request shares a connection with a refused one.</summary>
public sealed class SmallPoolFixture : ServiceFixture
{
    protected override string DatabaseName => "small_pool";

    protected override string Tune(string connectionString) => new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 2 }.ConnectionString;
}

[CollectionDefinition(Name)]
public sealed class SmallPoolGroup : ICollectionFixture<SmallPoolFixture>
{
    public const string Name = "small-pool";
}

/// <summary>One client's bad request never breaks another's: refused requests leave the pooled connections as they found them.</summary>
[Collection(SmallPoolGroup.Name)]
public sealed class SharingConnections(SmallPoolFixture service)
{
    [Fact]
    public async Task Valid_requests_interleaved_with_hostile_ones_on_a_small_pool_all_succeed()
    {
        using var http = service.ClientFor();
        var before = await service.EventCountAsync();
        var failures = new List<string>();
        var gate = new object();

        // Four clients at once, one request in ten carrying a NUL where PostgreSQL would refuse it.
        await Parallel.ForEachAsync(Enumerable.Range(0, 400), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            var hostile = i % 10 == 3;
            var role = hostile ? "ward\u0000clerk" : "ward clerk";
            var json = System.Text.Json.JsonSerializer.Serialize(new { displayName = $"Person {i}", stakeholderGroup = "nurse", organisationRole = role });
            using var response = await http.PostAsync("/api/participants", new StringContent(json, Encoding.UTF8, "application/json"), ct);
            var expected = hostile ? HttpStatusCode.BadRequest : HttpStatusCode.Created;
            if (response.StatusCode != expected)
            {
                lock (gate)
                {
                    failures.Add($"{i} ({(hostile ? "hostile" : "valid")}): {(int)response.StatusCode}");
                }
            }
        });

        Assert.DoesNotContain(failures, f => f.Contains("(valid)", StringComparison.Ordinal));
        Assert.Empty(failures);
        Assert.Equal(before + 360, await service.EventCountAsync());
    }
}
