using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using LearningSystem.Access;
using Marten;

namespace LearningSystem.Benchmarks;

/// <summary>Cold start: the service published as deployed, started again and again, timed to its first 201.</summary>
public static partial class ServiceBenchmark
{
    /// <summary>Cold start alone (`-- cold-start`): the same starts as the suite's, printed, without the load.</summary>
    public static async Task ColdStartAsync(string root)
    {
        await using var postgres = await StartPostgresAsync();
        var port = LearningSystem.LocalPostgres.LocalPostgresServer.FreePort();
        using var http = ServiceClient(port);
        var (starts, service) = await StartsAsync(root, postgres.ConnectionString, port, http);
        service.Kill(entireProcessTree: true);
        await service.WaitForExitAsync();
        Console.WriteLine(Describe(starts));
    }

    private sealed record Start(TimeSpan Created, TimeSpan Listening, TimeSpan SecondEndpoint);

    private sealed record Starts(TimeSpan First, Start[] Restarts)
    {
        /// <summary>The restart with the median time to the first 201.</summary>
        public Start Median => Restarts.OrderBy(r => r.Created).ElementAt(Restarts.Length / 2);
    }

    /// <summary>
    /// The very first start (which creates the schema), then restarts, the cold start that recurs: the schema is in
    /// place and the process is new. Answers the figures and the last restart, still running.
    /// </summary>
    private static async Task<(Starts Starts, Process Service)> StartsAsync(string root, string connectionString, int port, HttpClient http)
    {
        var dll = await PublishAsync(root);
        var service = StartService(dll, connectionString, port);
        var first = await FirstCreatedAsync(http, service.Started);
        var restarts = new List<Start>();
        for (var i = 0; i < Restarts; i++)
        {
            service.Process.Kill(entireProcessTree: true);
            await service.Process.WaitForExitAsync();
            service = StartService(dll, connectionString, port);
            restarts.Add(await FirstCreatedAsync(http, service.Started));
        }

        return (new Starts(first.Created, [.. restarts]), service.Process);
    }

    private static string Describe(Starts starts)
    {
        var median = starts.Median;
        var all = string.Join(", ", starts.Restarts.Select(r => r.Created.TotalSeconds.ToString("N2", CultureInfo.InvariantCulture)));
        return string.Create(CultureInfo.InvariantCulture,
            $"Cold start, from starting the service's process to the first 201 (registering a participant): {median.Created.TotalSeconds:N2} s, the median of {starts.Restarts.Length} restarts ({all} s); {starts.First.TotalSeconds:N2} s on the very first start, which also creates the schema in an empty database. In the median restart the host answered `/health/live` after {median.Listening.TotalSeconds:N2} s, the first command took {(median.Created - median.Listening).TotalSeconds:N2} s more, and a second endpoint's first command (recording feedback) then took {median.SecondEndpoint.TotalMilliseconds:N0} ms.");
    }

    /// <summary>
    /// Publishes the service as it is deployed (docs/deploying.md, Publishing): Release, ReadyToRun for this machine's runtime,
    /// with the generated handler code. Answers the published assembly.
    /// </summary>
    private static async Task<string> PublishAsync(string root)
    {
        // One folder, replaced by every run, so runs leave no copies behind.
        var folder = Path.Combine(Path.GetTempPath(), "learningsystem-benchmark-service");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        var arguments = new[]
        {
            "publish", Path.Combine(root, "src", "LearningSystem"), "-c", "Release", "-r", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier,
            "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", folder,
        };
        Console.WriteLine($"dotnet {string.Join(' ', arguments)}");
        var (exitCode, output) = await RunToolAsync("dotnet", arguments);
        return exitCode == 0 ? Path.Combine(folder, "LearningSystem.dll") : throw new InvalidOperationException($"dotnet publish failed:\n{output}");
    }

    private static (Process Process, long Started) StartService(string dll, string connectionString, int port, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__LearningSystem"] = connectionString;
        start.Environment["PersonalData__MasterKeys__benchmark"] = MasterKey;
        start.Environment["PersonalData__ActiveMasterKey"] = "benchmark";
        start.Environment["Audit__CheckpointMinutes"] = "0";
        start.Environment["Clients__benchmark__KeyHash"] = ApiClientRegistry.Hash(Key);
        for (var i = 0; i < Scopes.All.Count; i++)
        {
            start.Environment[$"Clients__benchmark__Scopes__{i}"] = Scopes.All[i];
        }

        start.Environment["Clients__benchmark__Organisations__0"] = "*";
        start.Environment["Clients__benchmark__RequestsPerMinute"] = "100000000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in overrides ?? new Dictionary<string, string?>())
        {
            // A null value removes the setting, so the service takes its own default.
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var started = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException("The service did not start.");
        // The service logs warnings and errors only; they belong in the benchmark's output.
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) { Console.Error.WriteLine($"service: {line}"); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) { Console.Error.WriteLine($"service: {line}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, started);
    }

    /// <summary>
    /// From process start to the first 201 of registering a participant, trying every 20 ms; and, as a coarse
    /// profile, when the host first answered (/health/live) and how long a second endpoint's first call took.
    /// </summary>
    private static async Task<Start> FirstCreatedAsync(HttpClient http, long started)
    {
        var listening = TimeSpan.Zero;
        while (listening == TimeSpan.Zero && Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(2))
        {
            try
            {
                using var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
                listening = live.IsSuccessStatusCode ? Stopwatch.GetElapsedTime(started) : TimeSpan.Zero;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(20);
            }
        }

        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(2))
        {
            try
            {
                using var response = await http.PostAsJsonAsync("/api/participants", new { displayName = "First", stakeholderGroup = "patient", organisationRole = "Patient" });
                if ((int)response.StatusCode == 201)
                {
                    var created = Stopwatch.GetElapsedTime(started);
                    await PostAsync(http, "/api/patient-feedback", Feedback(0));
                    return new Start(created, listening, Stopwatch.GetElapsedTime(started) - created);
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("The service did not answer 201 within two minutes.");
    }
}
