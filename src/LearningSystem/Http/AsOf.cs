using Marten;

namespace LearningSystem.Http;

/// <summary>Time travel: an item as it stands, or exactly as it stood at a time or a version, folded from its stream.</summary>
public static class AsOf
{
    public static bool Asked(DateTimeOffset? asOf, long? version) => asOf is not null || version is not null;

    /// <summary>A version counts from 1; anything less is refused, naming the parameter.</summary>
    public static void Check(long? version)
    {
        if (version is < 1)
        {
            throw Rejected.Invalid("version counts from 1.", "version");
        }
    }

    /// <summary>The inline view when nothing earlier is asked for; otherwise the stream folded up to <paramref name="asOf"/> or <paramref name="version"/>.</summary>
    public static async Task<T?> LoadAsync<T>(IQuerySession session, Guid id, DateTimeOffset? asOf, long? version, CancellationToken ct) where T : class
    {
        Check(version);
        return Asked(asOf, version)
            ? await session.Events.AggregateStreamAsync<T>(id, version ?? 0, asOf, token: ct)
            : await session.LoadAsync<T>(id, ct);
    }
}
