using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using JasperFx;
using Marten;

namespace LearningSystem.PersonalData;

/// <summary>
/// Names patients by a keyed hash of their reference, so that the reference itself is never stored in clear.
/// Each organisation's pepper is stored like any subject key, at a fixed id.
/// </summary>
public sealed class Peppers(MasterKeyRing masterKeys, TimeProvider clock)
{
    private static readonly Guid PepperId = new("9e5a1c3e-7d4b-4f0a-9c1e-000000000001");
    private const string PepperSubject = "pepper";

    // An organisation's pepper never changes once made (rotation only re-wraps it), so it is cached for good.
    private readonly ConcurrentDictionary<string, byte[]> _peppers = new();

    /// <summary>The data subject of the patient <paramref name="patientRef"/> names.</summary>
    public async Task<string> PatientSubjectAsync(IDocumentSession session, string patientRef, CancellationToken ct = default)
    {
        var pepper = await PepperAsync(session, ct);
        var hash = HMACSHA256.HashData(pepper, Encoding.UTF8.GetBytes(patientRef.Trim()));
        return DataSubjects.Patient(Convert.ToHexStringLower(hash));
    }

    // Made in a transaction of its own, so that writers racing to make the first one agree on it.
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
                own.Insert(new SubjectKey(PepperId, PepperSubject, masterKeys.Wrap(PepperId, RandomNumberGenerator.GetBytes(32)), masterKeys.ActiveId, clock.GetUtcNow(), null));
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

        return _peppers[tenant] = masterKeys.Unwrap(stored.Id, stored.WrappedKey!, stored.MasterKeyId);
    }
}
