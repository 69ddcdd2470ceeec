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

    /// <summary>The whole of what the process printed: nothing on standard output, and exactly <paramref name="line"/> on standard error.</summary>
    private static void OnlyLine(string line, (int ExitCode, string Output, string Error) run)
    {
        Assert.Equal((1, "", line + "\n"), (run.ExitCode, run.Output, run.Error));
    }

    private string Server => $"{new NpgsqlConnectionStringBuilder(_connectionString).Host}:{new NpgsqlConnectionStringBuilder(_connectionString).Port}";

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

        var run = await ServiceProcess.RunToEndAsync($"--urls=http://127.0.0.1:{port}", $"--ConnectionStrings:LearningSystem={_connectionString}", MasterKey);

        OnlyLine($"The HTTP address http://127.0.0.1:{port} is already in use; stop what listens there, or choose another with --urls.", run);
    }

    [Fact]
    public async Task A_port_already_in_use_beside_a_local_postgres_of_its_own_is_one_line_too()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var folder = LocalPostgresOptions.NewThrowawayFolder("portinuse");
        try
        {
            var run = await ServiceProcess.RunToEndAsync(
                new Dictionary<string, string> { ["LocalPostgres__Folder"] = folder, ["LocalPostgres__Port"] = "0" }, $"--urls=http://127.0.0.1:{port}");

            OnlyLine($"The HTTP address http://127.0.0.1:{port} is already in use; stop what listens there, or choose another with --urls.", run);
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

    [Theory]
    [InlineData("unreachable")]
    [InlineData("missing database")]
    [InlineData("unknown user")]
    public async Task A_wrong_connection_string_is_one_line_without_its_password(string wrong)
    {
        var connection = new NpgsqlConnectionStringBuilder(_connectionString) { Password = "hunter2", Timeout = 3 };
        var expected = wrong switch
        {
            "unreachable" => "PostgreSQL at 127.0.0.1:1 cannot be reached (Connection refused); check ConnectionStrings:LearningSystem and that the server runs.",
            "missing database" => $"The database named in ConnectionStrings:LearningSystem does not exist at {Server}; create it (createdb) or name another.",
            _ => $"PostgreSQL at {Server} refused the user or password in ConnectionStrings:LearningSystem.",
        };
        switch (wrong)
        {
            case "unreachable":
                (connection.Host, connection.Port) = ("127.0.0.1", 1);
                break;
            case "missing database":
                connection.Database = "no_such_database";
                break;
            default:
                // The test cluster trusts every role it has; one it does not have is refused as a wrong password is.
                connection.Username = "no_such_role";
                break;
        }

        var run = await ServiceProcess.RunToEndAsync($"--ConnectionStrings:LearningSystem={connection}", MasterKey, "--urls=http://127.0.0.1:0");

        OnlyLine(expected, run);
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

        var (exitCode, output, error) = await ServiceProcess.RunToEndAsync(arguments);

        Assert.Equal((1, ""), (exitCode, output));
        Assert.Contains(named, Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.EndsWith("\n", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_postgres_binaries_are_one_line()
    {
        var folder = LocalPostgresOptions.NewThrowawayFolder("nobinaries");
        var (exitCode, output, error) = await ServiceProcess.RunToEndAsync(
            new Dictionary<string, string> { ["LocalPostgres__Folder"] = folder, ["LocalPostgres__Port"] = "0", ["LocalPostgres__BinDirectory"] = "/nonexistent/postgresql/bin" });
        File.Delete($"{folder}-master-key.json");

        Assert.Equal((1, ""), (exitCode, output));
        Assert.Contains("/nonexistent/postgresql/bin", Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("move-organisation", "unreachable")]
    [InlineData("move-organisation", "missing database")]
    [InlineData("add-organisation", "unreachable")]
    [InlineData("add-organisation", "not a connection string")]
    public async Task A_command_that_cannot_reach_the_organisations_database_is_one_line(string command, string wrong)
    {
        var target = wrong switch
        {
            "unreachable" => "Host=127.0.0.1;Port=1;Database=st_lukes;Username=postgres;Timeout=3",
            "missing database" => new NpgsqlConnectionStringBuilder(_connectionString) { Database = "no_such_database" }.ConnectionString,
            _ => "not=a;connection",
        };
        var expected = wrong switch
        {
            "unreachable" => "PostgreSQL at 127.0.0.1:1 cannot be reached (Connection refused); check the organisation's connection string and that the server runs.",
            "missing database" => $"The database named in the organisation's connection string does not exist at {Server}; create it (createdb) or name another.",
            _ => "The organisation's connection string is not a PostgreSQL connection string (Couldn't set not (Parameter 'not'))",
        };

        var run = await ServiceProcess.RunToEndAsync(Command(), command, "st-lukes", target);

        if (wrong == "not a connection string")
        {
            Assert.Equal((1, ""), (run.ExitCode, run.Output));
            Assert.StartsWith("The organisation's connection string is not a PostgreSQL connection string (", Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
            return;
        }

        OnlyLine(expected, run);
    }

    [Fact]
    public async Task A_command_refused_is_one_line()
    {
        // Without database-per-organisation tenancy, there is nowhere to move an organisation to.
        var environment = Command();
        environment.Remove("Database__Tenancy");

        var run = await ServiceProcess.RunToEndAsync(environment, "move-organisation", "st-lukes", _connectionString);

        OnlyLine("Organisations get databases of their own only with Database:Tenancy=DatabasePerOrganisation.", run);
    }

    [Fact]
    public async Task A_framework_command_that_cannot_reach_postgres_is_one_line()
    {
        var environment = Command();
        environment["ConnectionStrings__LearningSystem"] = "Host=127.0.0.1;Port=1;Database=x;Username=postgres;Timeout=3";

        var run = await ServiceProcess.RunToEndAsync(environment, "db-apply");

        OnlyLine("PostgreSQL at 127.0.0.1:1 cannot be reached (Connection refused); check ConnectionStrings:LearningSystem and that the server runs.", run);
    }

    [Fact]
    public async Task A_command_that_succeeds_prints_no_search_for_commands()
    {
        var (exitCode, output, error) = await ServiceProcess.RunToEndAsync(Command(), "help");

        Assert.Equal((0, ""), (exitCode, error));
        Assert.StartsWith("The available commands are:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Searching", output, StringComparison.Ordinal);
    }

    /// <summary>A command's settings, which it takes from the environment: the test database, organisations in databases of their own.</summary>
    private Dictionary<string, string> Command() => new()
    {
        ["ConnectionStrings__LearningSystem"] = _connectionString,
        ["Database__Tenancy"] = "DatabasePerOrganisation",
        ["PersonalData__MasterKeys__k1"] = Convert.ToBase64String(new byte[32]),
    };

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

        var line = LearningSystem.Operations.Startup.Explain(new InvalidOperationException("start-up failed", refused), Configured);

        Assert.Equal("PostgreSQL at db.example.org:5433 refused the user or password in ConnectionStrings:LearningSystem.", line);
    }

    [Fact]
    public void A_real_fault_keeps_its_trace() =>
        Assert.Null(LearningSystem.Operations.Startup.Explain(new InvalidOperationException("a bug"), Configured));

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
            var (exitCode, output, error) = await ServiceProcess.RunToEndAsync(
                new Dictionary<string, string> { ["PATH"] = path, ["LocalPostgres__Folder"] = folder, ["LocalPostgres__Port"] = "0" });

            Assert.Equal((1, ""), (exitCode, output));
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
