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
        var database = new NpgsqlConnectionStringBuilder(server) { Database = $"{serverDatabase}_{name}".ToLowerInvariant() }.ConnectionString;
        await LocalPostgresServer.EnsureDatabaseAsync(database);
        return database;
    }
}
