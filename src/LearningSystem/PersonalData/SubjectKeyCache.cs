using System.Collections.Concurrent;

namespace LearningSystem.PersonalData;

/// <summary>
/// What this node remembers of subject keys: keys in clear for a minute, so that a busy subject costs one
/// lookup a minute rather than one unwrapping a request, and which key of each subject was live when last
/// read. Neither is trusted alone: every read looks up whether its keys are live, and every sealing
/// transaction asserts it (see <see cref="KeyLiveness"/>), so another node's erasure is never missed.
/// </summary>
public sealed class SubjectKeyCache(TimeProvider clock)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Tenant, Guid KeyId), SubjectKeyInClear> _keys = new();
    private readonly ConcurrentDictionary<(string Tenant, string Subject), Guid> _live = new();

    public bool TryGet(string tenant, Guid keyId, out SubjectKeyInClear? key)
    {
        if (_keys.TryGetValue((tenant, keyId), out key) && key.Until > clock.GetUtcNow())
        {
            return true;
        }

        key = null;
        return false;
    }

    /// <summary>Keeps a key in clear for a while; expired keys are let go once many are held, so that a long export's memory stays flat.</summary>
    public SubjectKeyInClear Remember(string tenant, Guid keyId, byte[] key)
    {
        var now = clock.GetUtcNow();
        if (_keys.Count > 10_000)
        {
            foreach (var expired in _keys.Where(k => k.Value.Until <= now).Select(k => k.Key).ToArray())
            {
                _keys.TryRemove(expired, out _);
            }
        }

        return _keys[(tenant, keyId)] = new SubjectKeyInClear(keyId, key, now + CacheFor);
    }

    /// <summary>A key erased, here or on another node.</summary>
    public void Forget(string tenant, Guid keyId) => _keys.TryRemove((tenant, keyId), out _);

    public bool TryGetLive(string tenant, string subject, out Guid keyId) => _live.TryGetValue((tenant, subject), out keyId);

    public void RememberLive(string tenant, string subject, Guid keyId) => _live[(tenant, subject)] = keyId;

    public void ForgetLive(string tenant, string subject) => _live.TryRemove((tenant, subject), out _);

    /// <summary>After a transaction found a key erased: which keys are live is read afresh.</summary>
    public void ForgetLiveKeys() => _live.Clear();
}
