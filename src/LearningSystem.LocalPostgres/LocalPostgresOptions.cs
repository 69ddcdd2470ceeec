namespace LearningSystem.LocalPostgres;

public sealed record LocalPostgresOptions
{
    /// <summary>Folder that holds the cluster (<c>data/</c>) and its log; created when missing.</summary>
    public required string Folder { get; init; }

    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    public required string Database { get; init; }

    /// <summary>A folder holding initdb and pg_ctl; when absent, PATH and /usr/lib/postgresql/*/bin are searched.</summary>
    public string? BinDirectory { get; init; }

    /// <summary>Throwaway clusters trade durability for speed (unless <see cref="Durable"/>) and are deleted when stopped.</summary>
    public bool Throwaway { get; init; }

    /// <summary>Keeps fsync and synchronous commit on even for a throwaway cluster, as a benchmark of the real thing needs.</summary>
    public bool Durable { get; init; }

    /// <summary>Further server settings (name=value), passed as <c>-c</c> options; the benchmarks load pg_stat_statements this way.</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];

    /// <summary>
    /// The persistent folder for the service. As root, PostgreSQL runs as the <c>postgres</c> user, which
    /// cannot reach a home folder, so the cluster lives under /var/lib instead.
    /// </summary>
    public static string DefaultServiceFolder() =>
        Environment.IsPrivilegedProcess
            ? "/var/lib/learningsystem/postgres"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
                "learningsystem", "postgres");

    /// <summary>A fresh folder under the system temp folder, which the <c>postgres</c> user can traverse.</summary>
    public static string NewThrowawayFolder(string purpose) =>
        Path.Combine(Path.GetTempPath(), $"{ThrowawayPrefix(purpose)}{Environment.ProcessId}-{Guid.NewGuid():N}");

    internal static string ThrowawayPrefix(string purpose) => $"learningsystem-{purpose}-";
}
