using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Marten;

namespace LearningSystem.PersonalData;

/// <summary>
/// Seals and opens personal fields. Each is sealed (<see cref="SealedValue"/>) under a key of its own data
/// subject, and the subject's key is wrapped under the master key (<see cref="MasterKeyRing"/>). Destroying the
/// subject's key (<see cref="SubjectErasure"/>) erases the person while every event stays as it was.
/// </summary>
public sealed class PersonalDataVault(MasterKeyRing masterKeys, SubjectKeyCache cache, PersonalDataSchema schema, TimeProvider clock)
{
    // The key each subject is sealed under in a session: a new one it inserts, or a live one it asserts once.
    // Sound because a sealing session commits once: each command, and each retry of it, opens its own.
    private readonly ConditionalWeakTable<IDocumentSession, SessionKeys> _inSession = new();

    private sealed class SessionKeys
    {
        public Dictionary<string, SubjectKeyInClear> BySubject { get; } = [];

        public List<string> Asserted { get; } = [];
    }

    /// <summary>Which fields are personal (the register is given by the composition).</summary>
    public PersonalDataSchema Schema => schema;

    /// <summary>
    /// Seals a value that introduces its data subjects (a new participant, anonymous feedback): no key can
    /// exist for them yet, so none is looked up, and the new keys join the caller's transaction.
    /// </summary>
    public Task<T> SealForNewSubjectAsync<T>(IDocumentSession session, T value, CancellationToken ct = default) where T : notnull
    {
        var inSession = _inSession.GetOrCreateValue(session).BySubject;
        foreach (var subject in Schema.FieldsOf(value.GetType()).Select(f => f.Subject(value)).Distinct())
        {
            if (!inSession.ContainsKey(subject))
            {
                inSession[subject] = NewKey(session, subject);
            }
        }

        return SealAsync(session, value, ct);
    }

    /// <summary>Seals every personal field of <paramref name="value"/>, creating subject keys as needed in the same session.</summary>
    public async Task<T> SealAsync<T>(IDocumentSession session, T value, CancellationToken ct = default) where T : notnull
    {
        object result = value;
        foreach (var field in Schema.FieldsOf(value.GetType()))
        {
            var clear = field.Get(result);
            if (clear is null || SealedValue.IsSealed(clear))
            {
                continue;
            }

            var key = await CurrentKeyAsync(session, field.Subject(result), ct);
            result = field.Set(result, SealedValue.Seal(key, clear));
        }

        return (T)result;
    }

    public async Task<T> OpenAsync<T>(IQuerySession session, T value, CancellationToken ct = default) where T : notnull =>
        (await OpenAllAsync(session, [value], ct))[0];

    /// <summary>
    /// Opens the personal fields of many values with one lookup of their keys; erased ones read as the marker.
    /// The lookup is made every time, cached keys included, so that an erasure made on any node shows at once
    /// everywhere; the cache only saves unwrapping.
    /// </summary>
    public async Task<IReadOnlyList<T>> OpenAllAsync<T>(IQuerySession session, IReadOnlyList<T> values, CancellationToken ct = default) where T : notnull
    {
        var tenant = session.TenantId;
        var keysToLoad = values
            .SelectMany(v => Schema.FieldsOf(v.GetType()).Select(f => f.Get(v)))
            .Where(SealedValue.IsSealed)
            .Select(s => SealedValue.KeyIdOf(s!))
            .Distinct()
            .ToArray();

        if (keysToLoad.Length > 0)
        {
            var stored = (await session.LoadManyAsync<SubjectKey>(ct, keysToLoad)).ToDictionary(k => k.Id);
            foreach (var id in keysToLoad)
            {
                if (stored.GetValueOrDefault(id) is { WrappedKey: { } wrapped } alive)
                {
                    if (!cache.TryGet(tenant, id, out _))
                    {
                        cache.Remember(tenant, id, masterKeys.Unwrap(id, wrapped, alive.MasterKeyId));
                    }
                }
                else
                {
                    // Erased, perhaps on another node: forget it here too.
                    cache.Forget(tenant, id);
                }
            }
        }

        return values.Select(v =>
        {
            object result = v;
            foreach (var field in Schema.FieldsOf(v.GetType()))
            {
                if (field.Get(result) is { } value && SealedValue.IsSealed(value))
                {
                    result = field.Set(result, cache.TryGet(tenant, SealedValue.KeyIdOf(value), out var key) ? SealedValue.Open(key!, value) : SealedValue.ErasedMarker);
                }
            }

            return (T)result;
        }).ToArray();
    }

    /// <summary>The keys one long read (an export) has looked up: each is read from the database once per read, never trusted from the cache alone.</summary>
    public sealed class KeysRead
    {
        internal Dictionary<Guid, SubjectKeyInClear?> Seen { get; } = [];
    }

    /// <summary>
    /// One sealed value in clear, or the erased marker once its subject's keys are gone. Whether the key is live
    /// is read from the database the first time <paramref name="read"/> meets it (another node may have erased it
    /// a moment ago); only the unwrapping is cached.
    /// </summary>
    public async Task<string> OpenTextAsync(IQuerySession session, string token, KeysRead read, CancellationToken ct = default)
    {
        var tenant = session.TenantId;
        var keyId = SealedValue.KeyIdOf(token);
        if (!read.Seen.TryGetValue(keyId, out var key))
        {
            if (await session.LoadAsync<SubjectKey>(keyId, ct) is { WrappedKey: { } wrapped } stored)
            {
                key = cache.TryGet(tenant, keyId, out var cached) ? cached : cache.Remember(tenant, keyId, masterKeys.Unwrap(keyId, wrapped, stored.MasterKeyId));
            }
            else
            {
                cache.Forget(tenant, keyId);
                key = null;
            }

            read.Seen[keyId] = key;
        }

        return key is null ? SealedValue.ErasedMarker : SealedValue.Open(key, token);
    }

    private async Task<SubjectKeyInClear> CurrentKeyAsync(IDocumentSession session, string subject, CancellationToken ct)
    {
        var tenant = session.TenantId;
        // A subject's fields (a comment and its patient reference) share one key and one assertion.
        var keys = _inSession.GetOrCreateValue(session);
        var inSession = keys.BySubject;
        if (inSession.TryGetValue(subject, out var already))
        {
            return already;
        }

        // Another node may have erased the key a moment ago, and a value sealed under an erased key would be lost
        // as it is written. So the events this session appends name the key, and each asserts as it is inserted
        // that the key is still live, keeping it so until the transaction commits (a known key then costs no round
        // trip of its own, and no statement); if it was erased, the command fails with StaleKey and runs again,
        // reading the live key afresh.
        SubjectKeyInClear Asserting(SubjectKeyInClear key)
        {
            keys.Asserted.Add(key.KeyId.ToString());
            session.SetHeader(KeyLiveness.SealedUnderHeader, keys.Asserted.ToArray());
            return inSession[subject] = key;
        }

        var schema = session.DocumentStore.Options.DatabaseSchemaName;
        if (cache.TryGetLive(tenant, subject, out var known) && cache.TryGet(tenant, known, out var hot))
        {
            return Asserting(hot!);
        }

        // One plain indexed read of the live key's id: the LINQ query it replaces cost more than the append it served.
        var live = await session.QueryAsync<Guid>(
            $"select id from {schema}.mt_doc_subjectkey where tenant_id = ? and subject = ? and data -> 'wrappedKey' is not null and data -> 'wrappedKey' <> 'null'::jsonb limit 1",
            ct, tenant, subject);
        if (live.Count > 0)
        {
            var found = cache.TryGet(tenant, live[0], out var cached)
                ? cached!
                : await session.LoadAsync<SubjectKey>(live[0], ct) is { WrappedKey: { } wrapped } existing
                    ? cache.Remember(tenant, existing.Id, masterKeys.Unwrap(existing.Id, wrapped, existing.MasterKeyId))
                    : null;
            if (found is not null)
            {
                cache.RememberLive(tenant, subject, found.KeyId);
                return Asserting(found);
            }
        }

        return inSession[subject] = NewKey(session, subject);
    }

    // A new key joins the caller's transaction; it is cached only once it can be read back.
    private SubjectKeyInClear NewKey(IDocumentSession session, string subject)
    {
        var keyId = Guid.CreateVersion7();
        var key = RandomNumberGenerator.GetBytes(32);
        session.Insert(new SubjectKey(keyId, subject, masterKeys.Wrap(keyId, key), masterKeys.ActiveId, clock.GetUtcNow(), null));
        return new SubjectKeyInClear(keyId, key, DateTimeOffset.MaxValue);
    }
}
