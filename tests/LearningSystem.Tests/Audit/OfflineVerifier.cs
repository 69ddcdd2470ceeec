using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Alba;

namespace LearningSystem.Tests.Audit;

/// <summary>
/// The sample offline verifier as an auditor runs it: on an audit export and the checkpoints kept, as files,
/// trusting only the public key given, with no service or database.
/// </summary>
public static class OfflineVerifier
{
    public static async Task<(int ExitCode, JsonElement Report, string Summary)> VerifyAsync(IAlbaHost host, string organisation, ECDsa signingKey, string? query = null)
    {
        var folder = Directory.CreateTempSubdirectory("audit-export-");
        try
        {
            var (export, _) = await host.GetTextAsync($"/api/audit/export{query}", organisation);
            var (checkpoints, _) = await host.GetTextAsync("/api/audit/checkpoints.ndjson", organisation);
            var files = new[] { "export.ndjson", "checkpoints.ndjson", "trusted.pem" }.Select(f => Path.Combine(folder.FullName, f)).ToArray();
            await File.WriteAllTextAsync(files[0], export);
            await File.WriteAllTextAsync(files[1], checkpoints);
            await File.WriteAllTextAsync(files[2], signingKey.ExportSubjectPublicKeyInfoPem());

            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            // Built beside the tests, as a project reference.
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AuditVerifier.dll"));
            foreach (var file in files)
            {
                info.ArgumentList.Add(file);
            }

            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var text = await output;
            Assert.True(text.Length > 0, await error);
            return (process.ExitCode, JsonDocument.Parse(text).RootElement.Clone(), await error);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>What two reports must agree on: the verdict, the first broken link, and each checkpoint's standing.</summary>
    public static string Verdict(JsonElement report) => JsonSerializer.Serialize(new
    {
        intact = report.GetProperty("intact").GetBoolean(),
        firstBroken = report.GetProperty("firstBroken").ValueKind == JsonValueKind.Null
            ? null
            : $"{report.GetProperty("firstBroken").GetProperty("streamId")}:{report.GetProperty("firstBroken").GetProperty("version")}:{report.GetProperty("firstBroken").GetProperty("problem")}",
        broken = report.GetProperty("brokenStreams").GetInt32(),
        checkpoints = report.GetProperty("checkpoints").EnumerateArray()
            .Select(c => $"{c.GetProperty("number")}:{c.GetProperty("matches")}:{c.GetProperty("problem")}").ToArray(),
    });
}
