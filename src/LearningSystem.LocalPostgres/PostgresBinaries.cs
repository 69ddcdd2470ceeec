namespace LearningSystem.LocalPostgres;

/// <summary>Finds the PostgreSQL server programs: first on PATH, then in Debian's versioned folders.</summary>
public static class PostgresBinaries
{
    public const string InstallHint =
        "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin. " +
        "Install Debian's 'postgresql' package (apt-get install postgresql), " +
        "or give a connection string in ConnectionStrings__LearningSystem.";

    public static string Find() =>
        Find(Environment.GetEnvironmentVariable("PATH") ?? "", "/usr/lib/postgresql");

    public static string Find(string path, string debianRoot)
    {
        var candidates = path
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(DebianFolders(debianRoot));

        foreach (var folder in candidates)
        {
            if (File.Exists(Path.Combine(folder, "initdb")) && File.Exists(Path.Combine(folder, "pg_ctl")))
            {
                return folder;
            }
        }

        throw new PostgresNotAvailableException(InstallHint);
    }

    // Newest major version first, so an upgrade is picked up without configuration.
    private static IEnumerable<string> DebianFolders(string root)
    {
        if (!Directory.Exists(root))
        {
            return [];
        }

        return Directory.GetDirectories(root)
            .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir), out var v) ? v : -1))
            .OrderByDescending(x => x.version)
            .Select(x => Path.Combine(x.dir, "bin"));
    }
}

public sealed class PostgresNotAvailableException(string message) : Exception(message);
