namespace LearningSystem.LocalPostgres;

/// <summary>Finds the PostgreSQL server programs: first on PATH, then in Debian's versioned folders.</summary>
public static class PostgresBinaries
{
    public const string InstallHint =
        "Install Debian's 'postgresql' package (apt-get install postgresql), " +
        "or give a connection string in ConnectionStrings__LearningSystem.";

    public static string Find(string? binDirectory = null) =>
        binDirectory is null
            ? Find(Environment.GetEnvironmentVariable("PATH") ?? "", "/usr/lib/postgresql")
            : Find(binDirectory, debianRoot: "");

    public static string Find(string path, string debianRoot)
    {
        var candidates = path
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(DebianFolders(debianRoot));

        foreach (var folder in candidates)
        {
            var initdb = Path.Combine(folder, "initdb");
            if (File.Exists(initdb) && File.Exists(Path.Combine(folder, "pg_ctl")))
            {
                // A link on PATH leads to the real folder, where the other programs (pg_dump, psql) live too.
                var real = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb;
                return Path.GetDirectoryName(real)!;
            }
        }

        var searched = debianRoot.Length == 0 ? path : $"PATH or {debianRoot}/*/bin";
        throw new PostgresNotAvailableException($"PostgreSQL server binaries (initdb, pg_ctl) were not found in {searched}. {InstallHint}");
    }

    // Newest major version first, so an upgrade is picked up without configuration.
    private static IEnumerable<string> DebianFolders(string root)
    {
        if (root.Length == 0 || !Directory.Exists(root))
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
