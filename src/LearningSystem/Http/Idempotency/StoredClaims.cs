using JasperFx;
using Marten;

namespace LearningSystem.Http.Idempotency;

/// <summary>
/// The stored claims on keys: claiming one (its primary key decides which of several concurrent requests is
/// first), taking over one whose lease ran out, and giving one up. The database decides, across every node.
/// </summary>
public sealed class StoredClaims(IDocumentStore store, TimeProvider clock, TimeSpan lease, TimeSpan keep)
{
    public async Task<IdempotentRequest?> ClaimAsync(string organisation, string id, string hash, bool expired, CancellationToken ct)
    {
        await using var session = store.LightweightSession(organisation);
        var now = clock.GetUtcNow();
        var pending = new IdempotentRequest(id, hash, null, null, null, null, now + keep, LeaseUntil: now + lease);
        if (expired)
        {
            session.Delete<IdempotentRequest>(id);
        }

        session.Insert(pending);
        try
        {
            await session.SaveChangesAsync(ct);
            return pending;
        }
        catch (DocumentAlreadyExistsException)
        {
            return null;
        }
    }

    /// <summary>Takes over a pending claim whose lease ran out; of several retries at once, exactly one succeeds.</summary>
    public async Task<IdempotentRequest?> TakeOverAsync(string organisation, IdempotentRequest stale, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var renewed = stale with { LeaseUntil = now + lease };
        await using var connection = (await store.Storage.FindOrCreateDatabase(organisation)).CreateConnection();
        await connection.OpenAsync(ct);
        await using var update = new Npgsql.NpgsqlCommand(
            $"update {store.Options.Schema.For<IdempotentRequest>()} set data = jsonb_set(data, '{{leaseUntil}}', to_jsonb(@until::text)) " +
            "where tenant_id = @tenant and id = @id and data ->> 'status' is null and coalesce((data ->> 'leaseUntil')::timestamptz, '-infinity') <= @now", connection);
        update.Parameters.AddWithValue("until", renewed.LeaseUntil!.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        update.Parameters.AddWithValue("tenant", organisation);
        update.Parameters.AddWithValue("id", stale.Id);
        update.Parameters.AddWithValue("now", now);
        return await update.ExecuteNonQueryAsync(ct) == 1 ? renewed : null;
    }

    /// <summary>
    /// Gives up a claim that is still pending. A command whose commit reached the database and whose request
    /// then failed (cancelled at the request timeout while PostgreSQL committed, say) keeps its stored answer,
    /// so that the retry replays it instead of running the command a second time.
    /// </summary>
    public async Task ForgetAsync(string organisation, string id)
    {
        await using var connection = (await store.Storage.FindOrCreateDatabase(organisation)).CreateConnection();
        await connection.OpenAsync(CancellationToken.None);
        await using var delete = new Npgsql.NpgsqlCommand(
            $"delete from {store.Options.Schema.For<IdempotentRequest>()} where tenant_id = @tenant and id = @id and data ->> 'status' is null", connection);
        delete.Parameters.AddWithValue("tenant", organisation);
        delete.Parameters.AddWithValue("id", id);
        await delete.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
