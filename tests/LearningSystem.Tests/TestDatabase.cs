using LearningSystem.LocalPostgres;
using Npgsql;

namespace LearningSystem.Tests;

/// <summary>
/// One throwaway PostgreSQL cluster shared by the test hosts alive at a time, each host with its own
/// database. The last host to finish stops the cluster: the test runner kills its process too soon after
/// the run for an exit hook to do it. A server can be given instead in ConnectionStrings__LearningSystemTests;
/// that name differs from the service's so that tests never wipe a developer's data.
/// </summary>
public static class TestDatabase
{
    /// <summary>
    /// The most connections one pool of a test host may open. A host under the tests' heaviest load (64 moves
    /// at once) queues for these rather than opening one per request; a pool left full would otherwise hold
    /// its connections for minutes.
    /// </summary>
    public const int PoolSize = 16;

    /// <summary>
    /// Pools that can be open at once if every test collection ran at the same moment: the shared service host
    /// (its store, a second node's store in the same process, the tests' own connections: 3), the small-pool
    /// host (2), three service processes with organisations in databases of their own (each its store, the
    /// tenancy lookup, the shared database and two organisations' databases: 15), a least-privileged host and
    /// its owner (3), and one process the start-up tests run beside their own connections (2).
    /// </summary>
    public const int PoolsAtOnce = 3 + 2 + 15 + 3 + 2;

    /// <summary>
    /// The test cluster's connection budget: every pool full at once, and room for pg_dump, psql and the
    /// administrative connections that create databases. PostgreSQL's default of 100 was exceeded by a full
    /// run on two cores ("53300: sorry, too many clients already").
    /// </summary>
    public const int MaxConnections = PoolsAtOnce * PoolSize + 50;

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static LocalPostgresServer? _local;
    private static int _users;

    public static async Task<string> AcquireAsync(string name)
    {
        await Gate.WaitAsync();
        try
        {
            var server = Environment.GetEnvironmentVariable("ConnectionStrings__LearningSystemTests");
            if (string.IsNullOrWhiteSpace(server))
            {
                if (_local is null)
                {
                    LocalPostgresServer.RemoveAbandonedThrowaways("tests");
                    _local = await LocalPostgresServer.StartAsync(new LocalPostgresOptions
                    {
                        Folder = LocalPostgresOptions.NewThrowawayFolder("tests"),
                        Database = "tests",
                        Throwaway = true,
                        Settings = [$"max_connections={MaxConnections}"],
                    });
                }

                server = _local.ConnectionString;
            }

            _users++;
            return await CreateDatabaseAsync(server, name);
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task ReleaseAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (--_users == 0 && _local is not null)
            {
                await _local.DisposeAsync();
                _local = null;
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> CreateDatabaseAsync(string server, string name)
    {
        var serverDatabase = new NpgsqlConnectionStringBuilder(server).Database ?? "tests";
        var database = new NpgsqlConnectionStringBuilder(server) { Database = $"{serverDatabase}_{name}".ToLowerInvariant(), MaxPoolSize = PoolSize }.ConnectionString;
        await LocalPostgresServer.EnsureDatabaseAsync(database);
        return database;
    }

    /// <summary>The first column of the first row <paramref name="sql"/> answers, read on a connection of its own.</summary>
    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
