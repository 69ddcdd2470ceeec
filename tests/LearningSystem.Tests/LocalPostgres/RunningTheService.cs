using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
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

    private sealed class ServiceProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();

        private ServiceProcess(Process process, Uri address)
        {
            _process = process;
            Client = new HttpClient { BaseAddress = address };
            // The README's documented local development key: with no clients configured, the only one accepted.
            Client.DefaultRequestHeaders.Add("X-Api-Key", LearningSystem.Access.ApiClientRegistry.LocalDevelopmentKey);
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

        public static async Task<ServiceProcess> StartAsync(string folder)
        {
            var address = new Uri($"http://127.0.0.1:{FreePort()}");
            var service = new ServiceProcess(
                Process.Start(StartInfo($"--urls={address}", $"--LocalPostgres:Folder={folder}", "--LocalPostgres:Port=0", $"--PersonalData:KeyFile={folder}-master-key.json"))!,
                address);

            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (DateTime.UtcNow < deadline && !service._process.HasExited)
            {
                try
                {
                    using var ready = await service.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
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

        public static async Task<(int ExitCode, string Output, string Error)> RunToEndAsync(params string[] arguments)
        {
            using var process = Process.Start(StartInfo(arguments))!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return (process.ExitCode, await output, await error);
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

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
