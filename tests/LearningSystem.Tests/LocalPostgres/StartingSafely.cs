using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using LearningSystem.LocalPostgres;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace LearningSystem.Tests.LocalPostgres;

/// <summary>The command line and a second process are safe beside a running service, and mistakes get one clear line.</summary>
public sealed class StartingSafely : IAsyncLifetime
{
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestDatabase.AcquireAsync("starting");

    public Task DisposeAsync() => TestDatabase.ReleaseAsync();

    private static readonly string MasterKey = "--PersonalData:MasterKeys:k1=" + Convert.ToBase64String(new byte[32]);

    private static string OneLine(string error) => Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task The_command_line_on_the_folder_of_a_running_service_leaves_its_postgres_running()
    {
        var folder = LocalPostgresOptions.NewThrowawayFolder("shared");
        try
        {
            await using var service = await ServiceProcess.StartAsync(folder);
            Assert.True(File.Exists($"{folder}-master-key.json"), "the development master key should sit beside the configured folder");

            var (exitCode, _, _) = await ServiceProcess.RunToEndAsync(
                new Dictionary<string, string> { ["LocalPostgres__Folder"] = folder, ["LocalPostgres__Port"] = "0" }, "help");

            Assert.Equal(0, exitCode);
            using var answer = await service.Client.PostAsJsonAsync("/api/participants", Requests.Jenny);
            Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
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
    public async Task A_port_already_in_use_is_one_line()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, _, error) = await ServiceProcess.RunToEndAsync($"--urls=http://127.0.0.1:{port}", $"--ConnectionStrings:LearningSystem={_connectionString}", MasterKey);

        Assert.Equal(1, exitCode);
        Assert.Contains("already in use", OneLine(error), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unreachable", "cannot be reached")]
    [InlineData("missing database", "does not exist")]
    public async Task A_wrong_connection_string_is_one_line_without_its_password(string wrong, string expected)
    {
        var connection = new NpgsqlConnectionStringBuilder(_connectionString) { Password = "hunter2", Timeout = 3 };
        if (wrong == "unreachable")
        {
            connection.Port = 1;
        }
        else
        {
            connection.Database = "no_such_database";
        }

        var (exitCode, output, error) = await ServiceProcess.RunToEndAsync($"--ConnectionStrings:LearningSystem={connection}", MasterKey, "--urls=http://127.0.0.1:0");

        Assert.Equal(1, exitCode);
        Assert.Contains(expected, OneLine(error), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", output + error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Audit:SigningKey=not-a-key", "Audit:SigningKey")]
    [InlineData("--PersonalData:MasterKeys:k1=c2hvcnQ=", "PersonalData:MasterKeys")]
    [InlineData("--Clients:kiosk:Scopes:0=read", "Clients:kiosk:KeyHash")]
    public async Task A_setting_the_service_cannot_use_is_one_line_naming_it(string setting, string named)
    {
        string[] arguments = [$"--ConnectionStrings:LearningSystem={_connectionString}", "--urls=http://127.0.0.1:0", setting];
        if (!setting.Contains("MasterKeys", StringComparison.Ordinal))
        {
            arguments = [.. arguments, MasterKey];
        }

        var (exitCode, _, error) = await ServiceProcess.RunToEndAsync(arguments);

        Assert.Equal(1, exitCode);
        Assert.Contains(named, OneLine(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_prints_no_key_secret_or_password()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var pem = key.ExportECPrivateKeyPem();
        var master = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var connection = new NpgsqlConnectionStringBuilder(_connectionString) { Password = "hunter2" }.ConnectionString;

        var (exitCode, output, error) = await ServiceProcess.RunToEndAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__LearningSystem"] = connection,
            ["Audit__SigningKey"] = pem,
            ["PersonalData__MasterKeys__k1"] = master,
            ["Clients__kiosk__KeyHash"] = LearningSystem.Access.ApiClientRegistry.Hash("kiosk-key"),
            ["Clients__kiosk__Scopes__0"] = "read",
        }, "describe");

        Assert.Equal(0, exitCode);
        var printed = output + error;
        Assert.Contains("IConfiguration", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", printed, StringComparison.Ordinal);
        Assert.DoesNotContain(master, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(LearningSystem.Access.ApiClientRegistry.Hash("kiosk-key")[..24], printed, StringComparison.Ordinal);
        Assert.DoesNotContain(pem.Split('\n')[1][..20], printed, StringComparison.Ordinal);
    }
}

/// <summary>The one-line explanations of start-up failures, for those a test cluster cannot produce.</summary>
public sealed class ExplainingStartupFailures
{
    private static readonly IConfiguration Configured = new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:LearningSystem"] = "Host=db.example.org;Port=5433;Database=ls;Username=svc;Password=hunter2" })
        .Build();

    [Fact]
    public void A_refused_password_names_the_server_but_not_the_password()
    {
        var refused = new PostgresException("password authentication failed for user \"svc\"", "FATAL", "FATAL", PostgresErrorCodes.InvalidPassword);

        var line = LearningSystem.Hosting.Startup.Explain(new InvalidOperationException("start-up failed", refused), Configured);

        Assert.Equal("PostgreSQL at db.example.org:5433 refused the user or password in ConnectionStrings:LearningSystem.", line);
    }

    [Fact]
    public void A_real_fault_keeps_its_trace() =>
        Assert.Null(LearningSystem.Hosting.Startup.Explain(new InvalidOperationException("a bug"), Configured));

    [Fact]
    public async Task Running_as_root_without_runuser_on_path_is_one_line()
    {
        // Only root starts PostgreSQL through runuser; CI and these machines run as root.
        if (!Environment.IsPrivilegedProcess)
        {
            return;
        }

        var folder = LearningSystem.LocalPostgres.LocalPostgresOptions.NewThrowawayFolder("norunuser");
        // A PATH with chown, which preparing the folder needs, and without runuser.
        var path = Directory.CreateTempSubdirectory("learningsystem-path-").FullName;
        File.CreateSymbolicLink(Path.Combine(path, "chown"), File.Exists("/usr/bin/chown") ? "/usr/bin/chown" : "/bin/chown");
        try
        {
            var (exitCode, _, error) = await ServiceProcess.RunToEndAsync(
                new Dictionary<string, string> { ["PATH"] = path, ["LocalPostgres__Folder"] = folder, ["LocalPostgres__Port"] = "0" });

            Assert.Equal(1, exitCode);
            Assert.Contains("runuser", Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            File.Delete($"{folder}-master-key.json");
            Directory.Delete(path, recursive: true);
        }
    }
}
