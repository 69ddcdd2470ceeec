using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LearningSystem.LocalPostgres;

namespace LearningSystem.Tests.LocalPostgres;

/// <summary>The README's run command as a new user meets it: no configuration, its own PostgreSQL, data kept.</summary>
public sealed class RunningTheService
{
    [Fact]
    public async Task With_no_configuration_it_starts_its_own_postgres_stops_it_and_keeps_the_data()
    {
        var folder = LocalPostgresOptions.NewThrowawayFolder("service");
        try
        {
            Guid jenny;
            await using (var first = await ServiceProcess.StartAsync(folder))
            {
                Assert.Contains(Path.Combine(folder, "data"), first.Output, StringComparison.Ordinal);
                using var response = await first.Client.PostAsJsonAsync("/api/participants", Requests.Jenny);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                jenny = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
                using var anonymous = new HttpClient { BaseAddress = first.Client.BaseAddress };
                using var refused = await anonymous.GetAsync(new Uri($"/api/participants/{jenny}", UriKind.Relative));
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            Assert.False(File.Exists(Path.Combine(folder, "data", "postmaster.pid")), "PostgreSQL should stop with the service");
            Assert.True(File.Exists($"{folder}-master-key.json"), "a development master key should have been generated");

            await using var second = await ServiceProcess.StartAsync(folder);
            var view = await second.Client.GetFromJsonAsync<JsonElement>($"/api/participants/{jenny}");
            Assert.Equal("Jenny", view.GetProperty("displayName").GetString());
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            File.Delete($"{folder}-master-key.json");
        }
    }

    [Fact]
    public async Task Without_postgres_binaries_it_exits_with_one_line_naming_the_package()
    {
        var empty = Directory.CreateTempSubdirectory("learningsystem-nobin-").FullName;
        try
        {
            var (exitCode, _, error) = await ServiceProcess.RunToEndAsync($"--LocalPostgres:BinDirectory={empty}");

            Assert.Equal(1, exitCode);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("apt-get install postgresql", line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }
}
