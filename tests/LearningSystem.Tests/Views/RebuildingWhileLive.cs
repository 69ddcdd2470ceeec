using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using LearningSystem.Views;

namespace LearningSystem.Tests.Views;

/// <summary>Rebuilding views while the service is in use hides nothing, loses nothing, runs once at a time and stays within the client's grant.</summary>
[Collection(ServiceGroup.Name)]
public sealed class RebuildingWhileLive(ServiceFixture service)
{
    private static async Task<Guid> CreateAsync(HttpClient http, string url, object body)
    {
        using var response = await http.PostAsJsonAsync(url, body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task A_rebuild_under_concurrent_reads_and_writes_answers_no_404_and_loses_no_write()
    {
        using var http = service.ClientFor("tests", Stories.NewOrganisation("rebuild"));
        var jenny = await CreateAsync(http, "/api/participants", new { displayName = "Jenny", stakeholderGroup = "student" });
        var existing = new List<Guid>();
        // Enough streams that the rebuild takes a while: 400 priorities and their setter.
        for (var i = 0; i < 400; i++)
        {
            existing.Add(await CreateAsync(http, "/api/priorities", new { statement = $"Priority {i}", rationale = "r", setBy = jenny }));
        }

        var notFound = new ConcurrentBag<string>();
        var created = new ConcurrentBag<Guid>();
        var endorsements = new ConcurrentDictionary<Guid, int>();
        var duringRebuild = 0;
        var rebuild = Task.Run(async () =>
        {
            using var admin = service.ClientFor("tests", http.DefaultRequestHeaders.GetValues("X-Organisation").Single());
            using var answer = await admin.PostAsJsonAsync("/api/admin/rebuilds", new { });
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        });

        // Readers and writers keep going for as long as the rebuild runs.
        await Task.WhenAll(Enumerable.Range(0, 3).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; !rebuild.IsCompleted || i < 5; i++)
            {
                // An iteration that starts while the rebuild runs overlaps it.
                var overlapping = !rebuild.IsCompleted;
                var priority = existing[Random.Shared.Next(existing.Count)];
                using (var read = await http.GetAsync(new Uri($"/api/priorities/{priority}", UriKind.Relative)))
                {
                    if (read.StatusCode == HttpStatusCode.NotFound)
                    {
                        notFound.Add(priority.ToString());
                    }
                }

                using (var participant = await http.GetAsync(new Uri($"/api/participants/{jenny}", UriKind.Relative)))
                {
                    if (participant.StatusCode == HttpStatusCode.NotFound)
                    {
                        notFound.Add($"participant {jenny}");
                    }
                }

                var endorser = await CreateAsync(http, "/api/participants", new { displayName = $"Patient {worker}-{i}", stakeholderGroup = "patient" });
                using (var endorsed = await http.PostAsJsonAsync($"/api/priorities/{priority}/endorsements", new { by = endorser }))
                {
                    Assert.Equal(HttpStatusCode.Created, endorsed.StatusCode);
                    endorsements.AddOrUpdate(priority, 1, (_, n) => n + 1);
                }

                created.Add(await CreateAsync(http, "/api/priorities", new { statement = $"New {worker}-{i}", rationale = "r", setBy = jenny }));
                if (overlapping)
                {
                    Interlocked.Increment(ref duringRebuild);
                }
            }
        })));
        await rebuild;

        Assert.Empty(notFound);
        Assert.True(duringRebuild > 0, "nothing ran while the rebuild did");
        foreach (var priority in created)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"/api/priorities/{priority}", UriKind.Relative))).StatusCode);
        }

        foreach (var (priority, count) in endorsements)
        {
            var view = await http.GetFromJsonAsync<JsonElement>($"/api/priorities/{priority}");
            Assert.Equal(count, view.GetProperty("negotiation").GetProperty("endorsements").GetInt32());
            var list = await http.GetFromJsonAsync<JsonElement>($"/api/priorities/{priority}/endorsements");
            Assert.Equal(count, list.GetArrayLength());
        }
    }

    [Fact]
    public async Task A_second_rebuild_while_one_runs_on_any_node_is_409()
    {
        // Another node's rebuild holds the database's rebuild lock.
        await using var otherNode = new NpgsqlConnection(service.ConnectionString);
        await otherNode.OpenAsync();
        await using (var take = new NpgsqlCommand($"select pg_advisory_lock({ViewRebuilder.RebuildLock})", otherNode))
        {
            await take.ExecuteScalarAsync();
        }

        using var http = service.ClientFor();
        using var refused = await http.PostAsJsonAsync("/api/admin/rebuilds", new { });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        await using (var release = new NpgsqlCommand($"select pg_advisory_unlock({ViewRebuilder.RebuildLock})", otherNode))
        {
            await release.ExecuteScalarAsync();
        }

        using var allowed = await http.PostAsJsonAsync("/api/admin/rebuilds", new { });
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task A_client_rebuilds_only_the_organisations_it_is_granted()
    {
        using var hospital = service.ClientFor("general-hospital-epr");
        var own = await (await hospital.PostAsJsonAsync("/api/admin/rebuilds", new { everyOrganisation = true })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["general-hospital"], own.GetProperty("organisations").EnumerateArray().Select(o => o.GetString()));

        var organisation = Stories.NewOrganisation("granted");
        using var tests = service.ClientFor("tests", organisation);
        await CreateAsync(tests, "/api/participants", new { displayName = "Jenny", stakeholderGroup = "student" });
        // A second organisation with data, so "every" means more than one even when this test runs alone.
        using var other = service.ClientFor("tests", Stories.NewOrganisation("granted-other"));
        await CreateAsync(other, "/api/participants", new { displayName = "Dr Reyes", stakeholderGroup = "clinician" });
        var one = await (await tests.PostAsJsonAsync("/api/admin/rebuilds", new { })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([organisation], one.GetProperty("organisations").EnumerateArray().Select(o => o.GetString()));
        var every = await (await tests.PostAsJsonAsync("/api/admin/rebuilds", new { everyOrganisation = true })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(organisation, every.GetProperty("organisations").EnumerateArray().Select(o => o.GetString()));
        Assert.True(every.GetProperty("organisations").GetArrayLength() > 1);
    }
}
