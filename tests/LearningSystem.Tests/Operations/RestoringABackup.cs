using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using LearningSystem.LocalPostgres;
using Npgsql;

namespace LearningSystem.Tests.Operations;

/// <summary>
/// docs/deploying.md's backup and restore, as an operator does it: <c>pg_dump</c> of the service's database,
/// <c>pg_restore</c> into a fresh PostgreSQL cluster, the service started on it with the same keys, and the
/// audit chain and the checkpoints verified there.
/// </summary>
[Collection(ServiceProcess.Collection)]
public sealed class RestoringABackup : IAsyncLifetime
{
    private const string Key = "restore-tests-key";
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestDatabase.AcquireAsync("backup");

    public Task DisposeAsync() => TestDatabase.ReleaseAsync();

    private static string[] Settings(string connectionString, string signingKey) =>
        ServiceProcess.Settings(connectionString, Key, $"--Audit:SigningKey={signingKey}", "--Audit:CheckpointMinutes=0", "--Audit:CheckpointSettleSeconds=0");

    private static async Task RunAsync(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(Path.Combine(PostgresBinaries.Find(), tool)) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(process.ExitCode == 0, $"{tool} failed: {await error}");
    }

    /// <summary>The libpq URL of a connection string, as pg_dump and pg_restore take it.</summary>
    private static string Url(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var password = string.IsNullOrEmpty(builder.Password) ? "" : $":{Uri.EscapeDataString(builder.Password)}";
        return $"postgresql://{Uri.EscapeDataString(builder.Username!)}{password}@{builder.Host}:{builder.Port}/{builder.Database}";
    }

    [Fact]
    public async Task A_dump_restored_into_a_fresh_cluster_verifies_against_the_checkpoints_made_before_it()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signingKey = signer.ExportECPrivateKeyPem();
        Guid okafor, priority;
        JsonElement[] kept;
        await using (var node = await ServiceProcess.StartAsync(Key, Settings(_connectionString, signingKey)))
        {
            okafor = (await (await node.Client.PostAsJsonAsync("/api/participants", new { displayName = "Mr Okafor", stakeholderGroup = "patient" }))
                .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            priority = (await (await node.Client.PostAsJsonAsync("/api/priorities", new { statement = "Shorter waits", rationale = "Hours of waiting", setBy = okafor }))
                .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            using (var endorsed = await node.Client.PostAsJsonAsync($"/api/priorities/{priority}/endorsements", new { by = okafor }))
            {
                Assert.Equal(HttpStatusCode.Created, endorsed.StatusCode);
            }

            using (var made = await node.Client.PostAsJsonAsync("/api/audit/checkpoints", new { }))
            {
                Assert.Equal(HttpStatusCode.Created, made.StatusCode);
            }

            // The auditor's copy, kept outside the database.
            kept = (await node.Client.GetStringAsync(new Uri("/api/audit/checkpoints.ndjson", UriKind.Relative)))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        }

        var dump = Path.Combine(Path.GetTempPath(), $"learningsystem-{Guid.NewGuid():N}.dump");
        var folder = LocalPostgresOptions.NewThrowawayFolder("restore");
        try
        {
            await RunAsync("pg_dump", "--format=custom", $"--file={dump}", $"--dbname={Url(_connectionString)}");
            await using var fresh = await LocalPostgresServer.StartAsync(new LocalPostgresOptions { Folder = folder, Database = "restored", Throwaway = true });
            await RunAsync("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", $"--dbname={Url(fresh.ConnectionString)}", dump);

            await using var restored = await ServiceProcess.StartAsync(Key, Settings(fresh.ConnectionString, signingKey));
            var report = await restored.Client.GetFromJsonAsync<JsonElement>("/api/audit/verify");
            Assert.True(report.GetProperty("intact").GetBoolean(), report.GetRawText());
            Assert.True(Assert.Single(report.GetProperty("checkpoints").EnumerateArray()).GetProperty("matches").GetBoolean());
            Assert.True(report.GetProperty("signaturesChecked").GetBoolean());
            using (var consistency = await restored.Client.PostAsJsonAsync("/api/audit/consistency", new { checkpoints = kept }))
            {
                var answer = await consistency.Content.ReadFromJsonAsync<JsonElement>();
                Assert.True(answer.GetProperty("consistent").GetBoolean(), answer.GetRawText());
            }

            // Personal data opens with the same master key, and the restored chain goes on.
            Assert.Equal("Mr Okafor", (await restored.Client.GetFromJsonAsync<JsonElement>($"/api/participants/{okafor}")).GetProperty("displayName").GetString());
            using (var objected = await restored.Client.PostAsJsonAsync($"/api/priorities/{priority}/objections", new { by = okafor, reason = "After the restore" }))
            {
                Assert.Equal(HttpStatusCode.Created, objected.StatusCode);
            }

            using (var made = await restored.Client.PostAsJsonAsync("/api/audit/checkpoints", new { }))
            {
                Assert.Equal(HttpStatusCode.Created, made.StatusCode);
            }

            var after = await restored.Client.GetFromJsonAsync<JsonElement>("/api/audit/verify");
            Assert.True(after.GetProperty("intact").GetBoolean(), after.GetRawText());
            Assert.All(after.GetProperty("checkpoints").EnumerateArray(), c => Assert.True(c.GetProperty("matches").GetBoolean()));
        }
        finally
        {
            File.Delete(dump);
        }
    }
}
