using LearningSystem.LocalPostgres;
using Npgsql;

namespace LearningSystem.Tests.LocalPostgres;

public sealed class StartingLocalPostgres
{
    [Fact]
    public void Without_server_binaries_the_message_names_the_package_to_install()
    {
        var empty = Directory.CreateTempSubdirectory("learningsystem-nobin-").FullName;
        try
        {
            var error = Assert.Throws<PostgresNotAvailableException>(() => PostgresBinaries.Find(empty, Path.Combine(empty, "missing")));

            Assert.Contains("apt-get install postgresql", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public void The_newest_debian_version_is_preferred()
    {
        var root = Directory.CreateTempSubdirectory("learningsystem-pgroot-").FullName;
        try
        {
            foreach (var version in new[] { "9", "15", "13" })
            {
                var bin = Directory.CreateDirectory(Path.Combine(root, version, "bin")).FullName;
                File.WriteAllText(Path.Combine(bin, "initdb"), "");
                File.WriteAllText(Path.Combine(bin, "pg_ctl"), "");
            }

            Assert.Equal(Path.Combine(root, "15", "bin"), PostgresBinaries.Find("", root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_cluster_keeps_its_data_when_stopped_and_started_again()
    {
        var folder = LocalPostgresOptions.NewThrowawayFolder("restart");
        var options = new LocalPostgresOptions { Folder = folder, Database = "kept" };

        await using (var first = await LocalPostgresServer.StartAsync(options))
        {
            await ExecuteAsync(first.ConnectionString, "create table notes(text text); insert into notes values ('still here')");
        }

        Assert.False(File.Exists(Path.Combine(folder, "data", "postmaster.pid")), "the server should have stopped");

        await using var second = await LocalPostgresServer.StartAsync(options with { Throwaway = true });
        Assert.Equal("still here", await ExecuteAsync(second.ConnectionString, "select text from notes"));
    }

    private static async Task<object?> ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
