using Npgsql;

namespace LearningSystem.Audit.Verifying;

/// <summary>Where the chain breaks: the event (or the place an event was), and what is wrong there.</summary>
public sealed record BrokenLink(long Sequence, Guid StreamId, long Version, Guid? EventId, string? Type, string Problem, string Detail);

/// <summary>A checkpoint compared with the links recomputed from the events as they are now.</summary>
public sealed record CheckpointCheck(long UpToSequence, long Events, string Root, bool Matches, string? RecomputedRoot);

public sealed record AuditReport(
    bool Intact, string Organisation, Guid? Stream, long EventsChecked, int StreamsChecked, int BrokenStreams,
    BrokenLink? FirstBroken, IReadOnlyList<BrokenLink> Broken, IReadOnlyList<CheckpointCheck> Checkpoints);

/// <summary>
/// Recomputes every link from the events as stored, in one pass in sequence order, and compares it with the
/// link written when the event was appended. Also replays the Merkle roots of the checkpoints it is given.
/// </summary>
public static class ChainVerifier
{
    public const int MaxReported = 100;

    public static async Task<AuditReport> VerifyAsync(
        NpgsqlConnection connection, string schema, string organisation, Guid? stream, IReadOnlyList<(long UpTo, long Events, string Root)> checkpoints, CancellationToken ct)
    {
        var only = stream is null ? "" : " and stream_id = @stream";
        await using var command = new NpgsqlCommand(
            $"""
            select coalesce(e.seq_id, l.seq_id), coalesce(e.stream_id, l.stream_id), coalesce(e.version, l.version), e.id, e.type,
                   e.data::text, encode(e.bdata, 'hex'), {HashChain.TimestampSql("e.timestamp")}, e.tenant_id,
                   e.correlation_id, e.causation_id, e.headers::text, l.link
            from (select * from {schema}.mt_events where tenant_id = @tenant{only}) e
            full join (select * from {schema}.{HashChain.LinksTable} where tenant_id = @tenant{only}) l on l.seq_id = e.seq_id
            order by 1
            """, connection);
        command.Parameters.AddWithValue("tenant", organisation);
        if (stream is { } id)
        {
            command.Parameters.AddWithValue("stream", id);
        }

        var streams = new Dictionary<Guid, (long Version, byte[] Link, bool Broken)>();
        var broken = new List<BrokenLink>();
        var brokenStreams = 0;
        long events = 0;
        var merkle = new Merkle();
        var pending = new Queue<(long UpTo, long Events, string Root)>(checkpoints.OrderBy(c => c.UpTo));
        var checks = new List<CheckpointCheck>();

        void Close(long beforeSequence)
        {
            while (pending.Count > 0 && pending.Peek().UpTo < beforeSequence)
            {
                var (upTo, count, root) = pending.Dequeue();
                var recomputed = Convert.ToHexStringLower(merkle.Root());
                var matches = recomputed == root && merkle.Count == count;
                checks.Add(new CheckpointCheck(upTo, count, root, matches, matches ? null : recomputed));
            }
        }

        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var sequence = reader.GetInt64(0);
                Close(sequence);
                var streamId = reader.GetGuid(1);
                var version = reader.GetInt64(2);
                Guid? eventId = reader.IsDBNull(3) ? null : reader.GetGuid(3);
                var type = reader.IsDBNull(4) ? null : reader.GetString(4);
                var stored = reader.IsDBNull(12) ? null : (byte[])reader[12];
                var (lastVersion, lastLink, alreadyBroken) = streams.TryGetValue(streamId, out var state) ? state : (0L, [], false);

                void Break(string problem, string detail)
                {
                    if (!alreadyBroken)
                    {
                        brokenStreams++;
                        if (broken.Count < MaxReported)
                        {
                            broken.Add(new BrokenLink(sequence, streamId, version, eventId, type, problem, detail));
                        }
                    }

                    alreadyBroken = true;
                }

                if (eventId is null)
                {
                    Break("missing", "An event was linked at this place in the stream, and it is no longer in the store.");
                    streams[streamId] = (lastVersion, lastLink, alreadyBroken);
                    continue;
                }

                events++;
                var canonical = HashChain.Canonical(
                    type!, Text(reader, 5), Text(reader, 6), streamId, version, reader.GetString(7), reader.GetString(8), Text(reader, 9), Text(reader, 10), Text(reader, 11));
                var link = HashChain.Link(lastLink.Length == 0 ? null : lastLink, canonical);
                if (version != lastVersion + 1)
                {
                    Break("outOfOrder", $"Version {version} follows version {lastVersion}: events are missing or out of order.");
                }
                else if (stored is null)
                {
                    Break("unlinked", "The event has no link: it was written around the chain.");
                }
                else if (!stored.AsSpan().SequenceEqual(link))
                {
                    Break("changed", "The event is not what was linked when it was appended.");
                }

                merkle.Add(link);
                streams[streamId] = (version, link, alreadyBroken);
            }
        }

        Close(long.MaxValue);
        return new AuditReport(
            broken.Count == 0 && checks.All(c => c.Matches), organisation, stream, events, streams.Count, brokenStreams,
            broken.OrderBy(b => b.Sequence).FirstOrDefault(), broken.OrderBy(b => b.Sequence).ToArray(), checks);
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
