using LearningSystem.Organisations;
using Marten;

namespace LearningSystem.PersonalData;

/// <summary>Re-wraps every subject key under the active master key, in every database. Events and sealed fields are untouched.</summary>
public sealed class MasterKeyRotation(MasterKeyRing masterKeys)
{
    public async Task<int> RotateAsync(IDocumentStore store, CancellationToken ct = default)
    {
        var rewrapped = 0;
        // Every database, under database-per-organisation tenancy; a session through any organisation there reaches all its keys.
        foreach (var organisation in await Organisation.OnePerDatabaseAsync(store))
        {
            await using var session = organisation is null ? store.LightweightSession() : store.LightweightSession(organisation);
            var stale = await session.Query<SubjectKey>()
                .Where(k => k.AnyTenant() && k.MasterKeyId != masterKeys.ActiveId)
                .ToListAsync(ct);

            foreach (var key in stale)
            {
                var tenant = key.TenantId ?? session.TenantId;
                var updated = key.WrappedKey is { } wrapped
                    ? key with { WrappedKey = masterKeys.Wrap(key.Id, masterKeys.Unwrap(key.Id, wrapped, key.MasterKeyId)), MasterKeyId = masterKeys.ActiveId }
                    : key with { MasterKeyId = masterKeys.ActiveId };
                session.ForTenant(tenant).Store(updated);
                rewrapped++;
            }

            await session.SaveChangesAsync(ct);
        }

        return rewrapped;
    }
}
