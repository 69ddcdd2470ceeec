using System.Diagnostics;

namespace LearningSystem.Tests;

/// <summary>The service's own build run as a process, as a user or a service manager runs it.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    /// <summary>The tests that run the service as processes go one class at a time: each starts one or more, and several classes at once starve a 2-core machine.</summary>
    public const string Collection = "service processes";

    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private ServiceProcess(Process process, Uri address, string apiKey)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = address };
        Client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public HttpClient Client { get; }

    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    /// <summary>The README's run command on its own PostgreSQL in <paramref name="folder"/>, with the documented local development key.</summary>
    public static Task<ServiceProcess> StartAsync(string folder) =>
        StartAsync(LearningSystem.Access.ApiClientRegistry.LocalDevelopmentKey,
            $"--LocalPostgres:Folder={folder}", "--LocalPostgres:Port=0");

    /// <summary>
    /// What the process-level tests share: the database, one client with every scope for <c>st-marys</c> signed
    /// in with <paramref name="apiKey"/>, and a fixed master key, then <paramref name="more"/>.
    /// </summary>
    public static string[] Settings(string connectionString, string apiKey, params string[] more) =>
    [
        $"--ConnectionStrings:LearningSystem={connectionString}",
        $"--Clients:tests:KeyHash={LearningSystem.Access.ApiClientRegistry.Hash(apiKey)}",
        .. LearningSystem.Access.Scopes.All.Select((scope, i) => $"--Clients:tests:Scopes:{i}={scope}"),
        "--Clients:tests:Organisations:0=st-marys",
        "--PersonalData:MasterKeys:tests-1=" + Convert.ToBase64String(new byte[32]),
        "--PersonalData:ActiveMasterKey=tests-1",
        .. more,
    ];

    /// <summary>The service as its own process with <paramref name="arguments"/>, answering once it serves requests.</summary>
    public static async Task<ServiceProcess> StartAsync(string apiKey, params string[] arguments)
    {
        var address = new Uri($"http://127.0.0.1:{LearningSystem.LocalPostgres.LocalPostgresServer.FreePort()}");
        var service = new ServiceProcess(Process.Start(StartInfo([$"--urls={address}", .. arguments]))!, address, apiKey);

        // Asked without credentials: a client granted several organisations would have to name one.
        using var anonymous = new HttpClient { BaseAddress = address };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline && !service._process.HasExited)
        {
            try
            {
                using var ready = await anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
                if (ready.IsSuccessStatusCode)
                {
                    return service;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        await service.DisposeAsync();
        throw new InvalidOperationException($"The service did not start:\n{service.Output}");
    }

    public static Task<(int ExitCode, string Output, string Error)> RunToEndAsync(params string[] arguments) =>
        RunToEndAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Runs to its end with settings in the environment, as the JasperFx commands take them (they refuse --Key=value).</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunToEndAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = StartInfo(arguments);
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }

    /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            // SIGTERM, as a service manager or Ctrl+C would stop it, so that shutdown runs.
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(params string[] arguments)
    {
        // The service's own build output, beside this test assembly's (same configuration).
        var testBin = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var configuration = new DirectoryInfo(testBin).Parent!.Name;
        var bin = Path.Combine(Repository.Root, "src", "LearningSystem", "bin", configuration, "net10.0");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = bin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(bin, "LearningSystem.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("ConnectionStrings__LearningSystem");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return info;
    }
}
