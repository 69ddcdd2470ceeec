using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace LearningSystem.LocalPostgres;

/// <summary>
/// A private PostgreSQL cluster started from the machine's server binaries, for the service, the tests and
/// the samples when no connection string is given.
/// </summary>
public sealed class LocalPostgresServer : IAsyncDisposable
{
    private const string SuperUser = "postgres";
    private readonly string _bin;
    private readonly LocalPostgresOptions _options;
    private readonly bool _asPostgresUser;
    private int _stopped;

    // A cluster another process started (a running service, say) is shared, never stopped by this one.
    private bool _started;

    private LocalPostgresServer(string bin, LocalPostgresOptions options, int port)
    {
        _bin = bin;
        _options = options;
        Port = port;
        _asPostgresUser = Environment.IsPrivilegedProcess;
    }

    public int Port { get; private set; }
    public string Folder => _options.Folder;
    public string DataDirectory => Path.Combine(_options.Folder, "data");
    public string LogFile => Path.Combine(_options.Folder, "postgres.log");

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = _options.Database,
        Username = SuperUser,
    }.ConnectionString;

    /// <summary>Initialises the cluster if needed, starts it (or reuses one already running) and creates the database.</summary>
    public static async Task<LocalPostgresServer> StartAsync(LocalPostgresOptions options, CancellationToken ct = default)
    {
        var bin = PostgresBinaries.Find(options.BinDirectory);
        var port = options.Port == 0 ? FreePort() : options.Port;
        var server = new LocalPostgresServer(bin, options, port);
        try
        {
            await server.InitialiseAsync(ct);
            await EnsureDatabaseAsync(server.ConnectionString, ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task InitialiseAsync(CancellationToken ct)
    {
        PrepareFolder();

        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            await RunAsync("initdb", ["-D", DataDirectory, "-U", SuperUser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], ct);
        }

        // A cluster left running by a run that was killed is reused rather than fought over.
        if (await RunAsync("pg_ctl", ["status", "-D", DataDirectory], ct, throwOnError: false) == 0)
        {
            // postmaster.pid's fourth line is the port the running server listens on.
            Port = int.Parse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).ElementAt(3), System.Globalization.CultureInfo.InvariantCulture);
            return;
        }

        var settings = $"-p {Port} -k {Path.GetTempPath().TrimEnd('/')} -c listen_addresses=127.0.0.1";
        if (_options.Throwaway && !_options.Durable)
        {
            settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        }

        foreach (var setting in _options.Settings)
        {
            settings += $" -c {setting}";
        }

        await RunAsync("pg_ctl", ["start", "-w", "-t", "60", "-D", DataDirectory, "-l", LogFile, "-o", settings], ct);
        _started = true;
    }

    /// <summary>Whether this process started the cluster, and so stops it; one it found running is left running.</summary>
    public bool StartedHere => _started;

    private void PrepareFolder()
    {
        Directory.CreateDirectory(_options.Folder);
        if (!_asPostgresUser || OperatingSystem.IsWindows())
        {
            return;
        }

        // Every parent must be traversable by the postgres user; the folder itself must be its own.
        for (var dir = Path.GetDirectoryName(_options.Folder); !string.IsNullOrEmpty(dir) && dir != "/"; dir = Path.GetDirectoryName(dir))
        {
            var mode = File.GetUnixFileMode(dir);
            if (!mode.HasFlag(UnixFileMode.OtherExecute))
            {
                throw new PostgresNotAvailableException(
                    $"PostgreSQL runs as the 'postgres' user, which cannot enter {dir}. Choose another LocalPostgres:Folder.");
            }
        }

        Run("chown", ["-R", $"{SuperUser}:", _options.Folder], asPostgres: false);
    }

    /// <summary>Creates the database the connection string names, on its server, unless it exists.</summary>
    public static async Task EnsureDatabaseAsync(string connectionString, CancellationToken ct = default)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database
                       ?? throw new ArgumentException("The connection string names no database.", nameof(connectionString));
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(ct);

        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync(ct) is not null)
        {
            return;
        }

        // Identifiers cannot be parameters; the quoted name is escaped instead.
        await using var create = new NpgsqlCommand($"create database \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        await create.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Stops and deletes throwaway clusters whose process has died: a test run that was killed cannot
    /// clean up after itself, so the next one does.
    /// </summary>
    public static void RemoveAbandonedThrowaways(string purpose)
    {
        var prefix = LocalPostgresOptions.ThrowawayPrefix(purpose);
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), prefix + "*"))
        {
            var pid = Path.GetFileName(folder)[prefix.Length..].Split('-')[0];
            if (int.TryParse(pid, out var id) && !IsAlive(id))
            {
                new LocalPostgresServer(PostgresBinaries.Find(), new LocalPostgresOptions { Folder = folder, Database = "", Throwaway = true }, 0).Stop();
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Stops the cluster (fast shutdown) once; a throwaway cluster's folder is deleted too.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        if ((_started || _options.Throwaway) && File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            Run("pg_ctl", ["stop", "-w", "-m", "fast", "-D", DataDirectory], asPostgres: _asPostgresUser, throwOnError: false);
        }

        if (_options.Throwaway)
        {
            try
            {
                Directory.Delete(_options.Folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Leftovers in the temp folder are harmless; the run must not fail for them.
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private async Task<int> RunAsync(string program, string[] arguments, CancellationToken ct, bool throwOnError = true)
    {
        using var process = Start(program, StartInfo(program, arguments, _asPostgresUser));
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return Check(program, process.ExitCode, await output + await error, throwOnError);
    }

    private int Run(string program, string[] arguments, bool asPostgres, bool throwOnError = true)
    {
        using var process = Start(program, StartInfo(program, arguments, asPostgres));
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return Check(program, process.ExitCode, output + error.Result, throwOnError);
    }

    private static Process Start(string program, ProcessStartInfo info)
    {
        try
        {
            return Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new PostgresNotAvailableException($"{program} could not be started ({e.Message}); is it installed and on PATH?");
        }
    }

    private int Check(string program, int exitCode, string output, bool throwOnError)
    {
        if (exitCode != 0 && throwOnError)
        {
            var log = File.Exists(LogFile) ? string.Join('\n', File.ReadLines(LogFile).TakeLast(20)) : "";
            throw new PostgresNotAvailableException(
                $"{program} failed with exit code {exitCode}: {output.Trim()}{(log.Length > 0 ? $"\nLast lines of {LogFile}:\n{log}" : "")}");
        }

        return exitCode;
    }

    private ProcessStartInfo StartInfo(string program, string[] arguments, bool asPostgres)
    {
        var executable = program == "chown" ? program : Path.Combine(_bin, program);
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The postgres user may not be able to enter the caller's working folder.
            WorkingDirectory = Path.GetTempPath(),
        };

        if (asPostgres)
        {
            if (!OnPath("runuser"))
            {
                throw new PostgresNotAvailableException(
                    "Running as root, PostgreSQL is started as the 'postgres' user with runuser, which is not on PATH; install Debian's 'util-linux' package, or run as a normal user.");
            }

            info.FileName = "runuser";
            foreach (var a in new[] { "-u", SuperUser, "--", executable })
            {
                info.ArgumentList.Add(a);
            }
        }
        else
        {
            info.FileName = executable;
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Any(folder => File.Exists(Path.Combine(folder, program)));

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on now; the tests and benchmarks use it too.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
