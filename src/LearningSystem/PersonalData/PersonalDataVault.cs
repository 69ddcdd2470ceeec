using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using JasperFx;
using Marten;

namespace LearningSystem.PersonalData;

/// <summary>
/// Crypto-shredding: personal fields are sealed with AES-GCM under a key of their own data subject, and the
/// subject's key is wrapped under the master key. Destroying the subject's key erases the person while every
/// event, its order and its bytes stay as they were.
/// </summary>
public sealed class PersonalDataVault(MasterKeyRing masterKeys, TimeProvider clock)
{
    public const string ErasedMarker = "[erased]";
    public const string Prefix = "pd1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    // The pepper names patients by a keyed hash; it is stored like any subject key, at a fixed id.
    private static readonly Guid PepperId = new("9e5a1c3e-7d4b-4f0a-9c1e-000000000001");
    private const string PepperSubject = "pepper";

    // Unwrapped keys are kept briefly so that a busy subject costs one lookup a minute, not one a request.
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Tenant, Guid KeyId), Cached> _keys = new();
    // The key each subject is sealed under in a session: a new one it inserts, or a live one it asserted once.
    // Sound because a sealing session commits once: each command, and each retry of it, opens its own.
    private readonly ConditionalWeakTable<IDocumentSession, Dictionary<string, Cached>> _inSession = new();
    private readonly ConcurrentDictionary<string, byte[]> _peppers = new();
    // Which key of a subject was live when last read. Trusted only with the assertion each sealing transaction
    // carries (see AssertLiveKey), so another node's erasure is never missed.
    private readonly ConcurrentDictionary<(string Tenant, string Subject), Guid> _live = new();

    /// <summary>The SQLSTATE of a sealing transaction whose subject key was erased before it committed.</summary>
    public const string StaleKey = "LSKEY";

    /// <summary>Whether <paramref name="exception"/> says a key used for sealing was erased meanwhile: the command is run again.</summary>
    public static bool IsStaleKey(Exception exception) => Hosting.Sql.Raised(exception, StaleKey);

    /// <summary>Forgets which keys were live, after a transaction found one erased.</summary>
    public void ForgetLiveKeys() => _live.Clear();

    /// <summary>
    /// In the database: fails the transaction (SQLSTATE <see cref="StaleKey"/>) unless the key is still live,
    /// and keeps it live until the transaction ends: it holds the key's advisory lock shared, and an erasure
    /// (see <see cref="ErasureWaits"/>) takes it exclusively, so it waits for every value sealed under the key
    /// and then erases it with the rest. An advisory lock, not <c>FOR SHARE</c>: a row lock writes the key's row.
    /// It runs as <c>insert into key_assertions select * from assert_live_key(…)</c>: the function answers no
    /// rows, so nothing is inserted and no result set comes back (Marten's batch reads each operation's results
    /// in turn, and must meet none from this one), and unlike a <c>CALL</c> it is planned once per connection.
    /// </summary>
    public sealed class AssertLiveKey(string schema) : Hosting.VersionedFunction(schema, "assert_live_key", Version)
    {
        private const string Version = "assert-live-key-3";

        public static string Sql(string schema) => $"insert into {schema}.key_assertions select * from {schema}.assert_live_key(?, ?)";

        public override void WriteCreateStatement(Weasel.Core.Migrator migrator, TextWriter writer) =>
            writer.WriteLine($$"""
                drop procedure if exists {{Schema}}.assert_live_key(varchar, uuid);
                create table if not exists {{Schema}}.key_assertions (key uuid);
                comment on table {{Schema}}.key_assertions is 'Always empty: sealing transactions assert their keys by inserting the no rows assert_live_key answers.';
                create or replace function {{Schema}}.assert_live_key(organisation varchar, key uuid) returns setof uuid language plpgsql as $$
                begin
                  perform pg_advisory_xact_lock_shared(hashtextextended(key::text, 0));
                  perform 1 from {{Schema}}.mt_doc_subjectkey
                  where tenant_id = organisation and id = key and data -> 'wrappedKey' is not null and data -> 'wrappedKey' <> 'null'::jsonb;
                  if not found then
                    raise exception 'the subject key % was erased meanwhile', key using errcode = '{{StaleKey}}';
                  end if;
                  return;
                end $$;
                comment on function {{Schema}}.assert_live_key(varchar, uuid) is '{{Version}}';
                """);

        public override void WriteDropStatement(Weasel.Core.Migrator rules, TextWriter writer) =>
            writer.WriteLine($"drop function if exists {Schema}.assert_live_key(varchar, uuid);");
    }

    /// <summary>An update that drops a key's wrapped key (an erasure) takes the key's advisory lock exclusively, whoever makes it.</summary>
    public sealed class ErasureWaits(string schema) : Hosting.VersionedFunction(schema, "erasure_waits_for_sealing", Version, "mt_doc_subjectkey_erasure_waits")
    {
        private const string Version = "erasure-waits-1";

        public override void WriteCreateStatement(Weasel.Core.Migrator migrator, TextWriter writer) =>
            writer.WriteLine($$"""
                create or replace function {{Schema}}.erasure_waits_for_sealing() returns trigger language plpgsql as $$
                begin
                  perform pg_advisory_xact_lock(hashtextextended(old.id::text, 0));
                  return new;
                end $$;
                comment on function {{Schema}}.erasure_waits_for_sealing() is '{{Version}}';
                drop trigger if exists mt_doc_subjectkey_erasure_waits on {{Schema}}.mt_doc_subjectkey;
                create trigger mt_doc_subjectkey_erasure_waits before update on {{Schema}}.mt_doc_subjectkey for each row
                  when (new.data -> 'wrappedKey' is null or new.data -> 'wrappedKey' = 'null'::jsonb)
                  execute function {{Schema}}.erasure_waits_for_sealing();
                """);

        public override void WriteDropStatement(Weasel.Core.Migrator rules, TextWriter writer) =>
            writer.WriteLine($"drop trigger if exists mt_doc_subjectkey_erasure_waits on {Schema}.mt_doc_subjectkey;");
    }

    internal sealed record Cached(Guid KeyId, byte[] Key, DateTimeOffset Until);

    public static PersonalDataSchema Schema => PersonalFields.Schema;

    public static bool IsSealed(string? value) => value?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    /// <summary>
    /// Seals a value that introduces its data subjects (a new participant, anonymous feedback): no key can
    /// exist for them yet, so none is looked up, and the new keys join the caller's transaction.
    /// </summary>
    public Task<T> SealForNewSubjectAsync<T>(IDocumentSession session, T value, CancellationToken ct = default) where T : notnull
    {
        var inSession = _inSession.GetOrCreateValue(session);
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
            if (clear is null || IsSealed(clear))
            {
                continue;
            }

            var key = await CurrentKeyAsync(session, field.Subject(result), ct);
            result = field.Set(result, Seal(key, clear));
        }

        return (T)result;
    }

    /// <summary>Names a patient by a keyed hash of their reference, so the reference itself is never stored in clear.</summary>
    public async Task<string> PatientSubjectAsync(IDocumentSession session, string patientRef, CancellationToken ct = default)
    {
        var pepper = await PepperAsync(session, ct);
        var hash = HMACSHA256.HashData(pepper, Encoding.UTF8.GetBytes(patientRef.Trim()));
        return DataSubjects.Patient(Convert.ToHexStringLower(hash));
    }

    // An organisation's pepper never changes once made (rotation only re-wraps it), so it is cached for good.
    // It is made in a transaction of its own, so that writers racing to make the first one agree on it.
    private async Task<byte[]> PepperAsync(IDocumentSession session, CancellationToken ct)
    {
        var tenant = session.TenantId;
        if (_peppers.TryGetValue(tenant, out var cached))
        {
            return cached;
        }

        var stored = await session.LoadAsync<SubjectKey>(PepperId, ct);
        if (stored is null)
        {
            await using (var own = session.DocumentStore.LightweightSession(tenant))
            {
                own.Insert(new SubjectKey(PepperId, PepperSubject, Wrap(PepperId, RandomNumberGenerator.GetBytes(32)), masterKeys.ActiveId, clock.GetUtcNow(), null));
                try
                {
                    await own.SaveChangesAsync(ct);
                }
                catch (DocumentAlreadyExistsException)
                {
                    // Another writer made it first; theirs is read back below.
                }
            }

            await using var query = session.DocumentStore.QuerySession(tenant);
            stored = await query.LoadAsync<SubjectKey>(PepperId, ct) ?? throw new InvalidOperationException("The pepper was not stored.");
        }

        return _peppers[tenant] = Unwrap(stored.Id, stored.WrappedKey!, stored.MasterKeyId);
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
            .Where(IsSealed)
            .Select(s => KeyIdOf(s!))
            .Distinct()
            .ToArray();

        if (keysToLoad.Length > 0)
        {
            var stored = (await session.LoadManyAsync<SubjectKey>(ct, keysToLoad)).ToDictionary(k => k.Id);
            foreach (var id in keysToLoad)
            {
                if (stored.GetValueOrDefault(id) is { WrappedKey: { } wrapped } alive)
                {
                    if (!TryCached(_keys, (tenant, id), out _))
                    {
                        Remember(tenant, id, wrapped, alive.MasterKeyId);
                    }
                }
                else
                {
                    // Erased, perhaps on another node: forget it here too.
                    _keys.TryRemove((tenant, id), out _);
                }
            }
        }

        return values.Select(v =>
        {
            object result = v;
            foreach (var field in Schema.FieldsOf(v.GetType()))
            {
                if (field.Get(result) is { } value && IsSealed(value))
                {
                    result = field.Set(result, TryCached(_keys, (tenant, KeyIdOf(value)), out var key) ? Open(key!, value) : ErasedMarker);
                }
            }

            return (T)result;
        }).ToArray();
    }

    /// <summary>The keys one long read (an export) has looked up: each is read from the database once per read, never trusted from the cache alone.</summary>
    public sealed class KeysRead
    {
        internal Dictionary<Guid, Cached?> Seen { get; } = [];
    }

    /// <summary>
    /// One sealed value in clear, or the erased marker once its subject's keys are gone. Whether the key is live
    /// is read from the database the first time <paramref name="read"/> meets it (another node may have erased it
    /// a moment ago); only the unwrapping is cached.
    /// </summary>
    public async Task<string> OpenTextAsync(IQuerySession session, string token, KeysRead read, CancellationToken ct = default)
    {
        var tenant = session.TenantId;
        var keyId = KeyIdOf(token);
        if (!read.Seen.TryGetValue(keyId, out var key))
        {
            if (await session.LoadAsync<SubjectKey>(keyId, ct) is { WrappedKey: { } wrapped } stored)
            {
                key = TryCached(_keys, (tenant, keyId), out var cached) ? cached : Remember(tenant, keyId, wrapped, stored.MasterKeyId);
            }
            else
            {
                _keys.TryRemove((tenant, keyId), out _);
                key = null;
            }

            read.Seen[keyId] = key;
        }

        return key is null ? ErasedMarker : Open(key, token);
    }

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
            _keys.TryRemove((session.TenantId, key.Id), out _);
            _live.TryRemove((session.TenantId, subject), out _);
        }

        return (erasure, true);
    }

    /// <summary>Re-wraps every subject key under the active master key. Events and sealed fields are untouched.</summary>
    public async Task<int> RotateAsync(IDocumentStore store, CancellationToken ct = default)
    {
        var rewrapped = 0;
        // Every database, under database-per-organisation tenancy; a session through any organisation there reaches all its keys.
        foreach (var organisation in await Organisations.OrganisationDatabases.OnePerDatabaseAsync(store))
        {
            await using var session = organisation is null ? store.LightweightSession() : store.LightweightSession(organisation);
            var stale = await session.Query<SubjectKey>()
                .Where(k => k.AnyTenant() && k.MasterKeyId != masterKeys.ActiveId)
                .ToListAsync(ct);

            foreach (var key in stale)
            {
                var tenant = key.TenantId ?? session.TenantId;
                var updated = key.WrappedKey is { } wrapped
                    ? key with { WrappedKey = Wrap(key.Id, Unwrap(key.Id, wrapped, key.MasterKeyId)), MasterKeyId = masterKeys.ActiveId }
                    : key with { MasterKeyId = masterKeys.ActiveId };
                session.ForTenant(tenant).Store(updated);
                rewrapped++;
            }

            await session.SaveChangesAsync(ct);
        }

        return rewrapped;
    }

    private async Task<Cached> CurrentKeyAsync(IDocumentSession session, string subject, CancellationToken ct)
    {
        var tenant = session.TenantId;
        // A subject's fields (a comment and its patient reference) share one key and one assertion.
        var inSession = _inSession.GetOrCreateValue(session);
        if (inSession.TryGetValue(subject, out var already))
        {
            return already;
        }

        // Another node may have erased the key a moment ago, and a value sealed under an erased key would be lost
        // as it is written. So the transaction asserts, in its own batch, that the key is still live and keeps it
        // so until it commits (a known key then costs no round trip of its own); if it was erased, the command
        // fails with StaleKey and runs again, reading the live key afresh.
        var schema = session.DocumentStore.Options.DatabaseSchemaName;
        if (_live.TryGetValue((tenant, subject), out var known) && TryCached(_keys, (tenant, known), out var hot))
        {
            session.QueueSqlCommand(AssertLiveKey.Sql(schema), tenant, known);
            return inSession[subject] = hot!;
        }

        // One plain indexed read of the live key's id: the LINQ query it replaces cost more than the append it served.
        var live = await session.QueryAsync<Guid>(
            $"select id from {schema}.mt_doc_subjectkey where tenant_id = ? and subject = ? and data -> 'wrappedKey' is not null and data -> 'wrappedKey' <> 'null'::jsonb limit 1",
            ct, tenant, subject);
        if (live.Count > 0)
        {
            var found = TryCached(_keys, (tenant, live[0]), out var cached)
                ? cached!
                : await session.LoadAsync<SubjectKey>(live[0], ct) is { WrappedKey: { } wrapped } existing
                    ? Remember(tenant, existing.Id, wrapped, existing.MasterKeyId)
                    : null;
            if (found is not null)
            {
                _live[(tenant, subject)] = found.KeyId;
                session.QueueSqlCommand(AssertLiveKey.Sql(schema), tenant, found.KeyId);
                return inSession[subject] = found;
            }
        }

        return inSession[subject] = NewKey(session, subject);
    }

    // A new key joins the caller's transaction; it is cached only once it can be read back.
    private Cached NewKey(IDocumentSession session, string subject)
    {
        var keyId = Guid.CreateVersion7();
        var key = RandomNumberGenerator.GetBytes(32);
        session.Insert(new SubjectKey(keyId, subject, Wrap(keyId, key), masterKeys.ActiveId, clock.GetUtcNow(), null));
        return new Cached(keyId, key, DateTimeOffset.MaxValue);
    }

    /// <summary>Caches an unwrapped key for a while; expired keys are let go once many are held, so that a long export's memory stays flat.</summary>
    private Cached Remember(string tenant, Guid keyId, byte[] wrapped, string masterKeyId)
    {
        var now = clock.GetUtcNow();
        if (_keys.Count > 10_000)
        {
            foreach (var expired in _keys.Where(k => k.Value.Until <= now).Select(k => k.Key).ToArray())
            {
                _keys.TryRemove(expired, out _);
            }
        }

        return _keys[(tenant, keyId)] = new Cached(keyId, Unwrap(keyId, wrapped, masterKeyId), now + CacheFor);
    }

    private bool TryCached<TKey>(ConcurrentDictionary<TKey, Cached> cache, TKey id, out Cached? cached) where TKey : notnull
    {
        if (cache.TryGetValue(id, out cached) && cached.Until > clock.GetUtcNow())
        {
            return true;
        }

        cached = null;
        return false;
    }

    private static string Seal(Cached key, string clear)
    {
        var plain = Encoding.UTF8.GetBytes(clear);
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), key.KeyId.ToByteArray());
        return $"{Prefix}{key.KeyId:N}:{Convert.ToBase64String(sealedBytes)}";
    }

    private static string Open(Cached key, string token)
    {
        var sealedBytes = Convert.FromBase64String(token[(Prefix.Length + 33)..]);
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key.Key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plain, key.KeyId.ToByteArray());
        return Encoding.UTF8.GetString(plain);
    }

    private static Guid KeyIdOf(string token) => Guid.ParseExact(token.AsSpan(Prefix.Length, 32), "N");

    private byte[] Wrap(Guid keyId, byte[] key)
    {
        var wrapped = new byte[NonceSize + TagSize + key.Length];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, NonceSize));
        using var aes = new AesGcm(masterKeys.Active, TagSize);
        aes.Encrypt(wrapped.AsSpan(0, NonceSize), key, wrapped.AsSpan(NonceSize + TagSize), wrapped.AsSpan(NonceSize, TagSize), keyId.ToByteArray());
        return wrapped;
    }

    private byte[] Unwrap(Guid keyId, byte[] wrapped, string masterKeyId)
    {
        var key = new byte[wrapped.Length - NonceSize - TagSize];
        using var aes = new AesGcm(masterKeys.Get(masterKeyId), TagSize);
        aes.Decrypt(wrapped.AsSpan(0, NonceSize), wrapped.AsSpan(NonceSize + TagSize), wrapped.AsSpan(NonceSize, TagSize), key, keyId.ToByteArray());
        return key;
    }
}
