using Marten;

namespace LearningSystem.PersonalData;

/// <summary>
/// Erasure by crypto-shredding: destroying a subject's keys erases the person while every event, its order and
/// its bytes stay as they were. The key rows stay as tombstones, so that a second erasure finds the first.
/// </summary>
public sealed class SubjectErasure(SubjectKeyCache cache)
{
    /// <summary>
    /// Destroys every key of the subject and records why. Erasing a subject whose keys are already gone answers
    /// with the first erasure; <c>null</c> means the subject never had a key here.
    /// </summary>
    public async Task<(Erasure Erasure, bool Erased)?> EraseAsync(IDocumentSession session, string subject, Erasure erasure, CancellationToken ct = default)
    {
        var keys = await session.Query<SubjectKey>().Where(k => k.Subject == subject).ToListAsync(ct);
        if (keys.Count == 0)
        {
            return null;
        }

        var live = keys.Where(k => !k.IsErased).ToArray();
        if (live.Length == 0)
        {
            return (keys.Select(k => k.Erasure).OfType<Erasure>().OrderBy(e => e.ErasedAt).First(), false);
        }

        foreach (var key in live)
        {
            session.Store(key with { WrappedKey = null, Erasure = erasure });
            cache.Forget(session.TenantId, key.Id);
            cache.ForgetLive(session.TenantId, subject);
        }

        return (erasure, true);
    }
}
