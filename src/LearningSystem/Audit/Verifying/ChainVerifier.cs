using LearningSystem.Audit.Checkpoints;
using Marten;
using Npgsql;

namespace LearningSystem.Audit.Verifying;

/// <summary>
/// Reads an organisation's events (or one stream's) as stored, in one pass in sequence order, with the
/// recorded stream versions and every checkpoint, and runs <see cref="ChainCheck"/> over them.
/// </summary>
public sealed class ChainVerifier(CheckpointSigner signer)
{
    public async Task<AuditReport> VerifyAsync(IQuerySession session, Guid? stream, CancellationToken ct) =>
        await VerifyAsync(session, stream, await session.Chained().ToListAsync(ct), ct);

    /// <summary>Against the given checkpoints: the stored ones, or ones an auditor kept.</summary>
    public async Task<AuditReport> VerifyAsync(IQuerySession session, Guid? stream, IReadOnlyList<AuditCheckpoint> checkpoints, CancellationToken ct)
    {
        await using var connection = session.Database.CreateConnection();
        await connection.OpenAsync(ct);
        return await VerifyAsync(connection, session.DocumentStore.Options.DatabaseSchemaName, session.TenantId, stream, checkpoints, inOpenTransaction: false, ct);
    }

    /// <summary>
    /// An organisation's events in the database of <paramref name="connection"/>, wherever the organisation is said
    /// to live; in one snapshot of their own unless the connection is <paramref name="inOpenTransaction"/>.
    /// </summary>
    public async Task<AuditReport> VerifyAsync(
        NpgsqlConnection connection, string schema, string organisation, Guid? stream, IReadOnlyList<AuditCheckpoint> checkpoints, bool inOpenTransaction, CancellationToken ct)
    {
        await using var snapshot = inOpenTransaction ? null : await SnapshotAsync(connection, ct);
        var check = new ChainCheck(organisation, stream, checkpoints, signer.Trusted);
        await foreach (var row in ReadAsync(connection, schema, organisation, stream, long.MinValue, ct))
        {
            switch (row)
            {
                case StoredEvent e:
                    check.Add(e);
                    break;
                case StreamRecord s:
                    check.Recorded(s.StreamId, s.Version);
                    break;
            }
        }

        return check.Finish();
    }

    /// <summary>
    /// A read-only transaction whose statements all see one snapshot. The events and the stream table are read by
    /// two statements; each with its own snapshot, an append committing between them shows its stream's new
    /// version without its event, which verification would call missing (it did, under a move's writers).
    /// </summary>
    public static async Task<NpgsqlTransaction> SnapshotAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using var readOnly = new NpgsqlCommand("set transaction read only", connection, transaction);
        await readOnly.ExecuteNonQueryAsync(ct);
        return transaction;
    }

    /// <summary>
    /// The events as stored after a sequence number, in sequence order, then the recorded version of each stream
    /// they belong to. Starting part way, each such stream's link as it stood is read first. Read them in one
    /// snapshot (<see cref="SnapshotAsync"/>), so that the two agree.
    /// </summary>
    public static async IAsyncEnumerable<object> ReadAsync(
        NpgsqlConnection connection, string schema, string organisation, Guid? stream, long after,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var (onlyEvents, onlyStream) = stream is null ? ("", "") : (" and stream_id = @stream", " and s.id = @stream");
        var partway = after > long.MinValue;
        var resume = partway
            ? $"""
              select distinct on (stream_id) stream_id, version, headers ->> '{HashChain.LinkHeader}' from {schema}.mt_events
              where tenant_id = @tenant and seq_id <= @after{onlyEvents}
                and stream_id in (select stream_id from {schema}.mt_events where tenant_id = @tenant and seq_id > @after{onlyEvents})
              order by stream_id, version desc;
              """
            : "";
        var fed = partway ? $" and exists (select 1 from {schema}.mt_events e where e.tenant_id = @tenant and e.stream_id = s.id and e.seq_id > @after)" : "";
        await using var command = new NpgsqlCommand(
            $"""
            {resume}
            select seq_id, id, stream_id, version, type, data::text, encode(bdata, 'hex'), {HashChain.TimestampSql("timestamp")}, tenant_id,
                   mt_dotnet_type, correlation_id, causation_id, {HashChain.HeadersSql("headers")}, headers ->> '{HashChain.LinkHeader}', coalesce(is_archived, false)
            from {schema}.mt_events where tenant_id = @tenant and seq_id > @after{onlyEvents}
            order by seq_id;
            select s.id, s.version from {schema}.mt_streams s where s.tenant_id = @tenant{onlyStream}{fed} order by s.id;
            """, connection);
        command.Parameters.AddWithValue("tenant", organisation);
        command.Parameters.AddWithValue("after", after);
        if (stream is { } id)
        {
            command.Parameters.AddWithValue("stream", id);
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        if (partway)
        {
            while (await reader.ReadAsync(ct))
            {
                yield return new StreamResume(reader.GetGuid(0), reader.GetInt64(1), Text(reader, 2) ?? "");
            }

            await reader.NextResultAsync(ct);
        }

        while (await reader.ReadAsync(ct))
        {
            yield return new StoredEvent(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetInt64(3), reader.GetString(4), Text(reader, 5), Text(reader, 6),
                reader.GetString(7), reader.GetString(8), Text(reader, 9), Text(reader, 10), Text(reader, 11), Text(reader, 12), Text(reader, 13), reader.GetBoolean(14));
        }

        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new StreamRecord(reader.GetGuid(0), reader.GetInt64(1));
        }
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}

/// <summary>A stream as the stream table records it.</summary>
public sealed record StreamRecord(Guid StreamId, long Version);

/// <summary>Where a stream stood before a partial export's first event: its version and stored link then.</summary>
public sealed record StreamResume(Guid StreamId, long Version, string Link);
