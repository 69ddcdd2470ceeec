using Npgsql;

namespace LearningSystem.Audit.Verifying;

/// <summary>Where the chain breaks: the event (or the place an event was), and what is wrong there.</summary>
public sealed record BrokenLink(long? Sequence, Guid StreamId, long Version, Guid? EventId, string? Type, string Problem, string Detail);

/// <summary>A checkpoint compared with the links recomputed from the events as they are now.</summary>
public sealed record CheckpointCheck(long UpToSequence, long Events, string Root, bool Matches, string? RecomputedRoot);

public sealed record AuditReport(
    bool Intact, string Organisation, Guid? Stream, long EventsChecked, int StreamsChecked, int BrokenStreams,
    BrokenLink? FirstBroken, IReadOnlyList<BrokenLink> Broken, IReadOnlyList<CheckpointCheck> Checkpoints);

/// <summary>
/// Recomputes every link from the events as stored, in one pass in sequence order, and compares it with the
/// link written when the event was appended; a gap in a stream's versions, or a stream whose recorded version
/// is past its last event, shows where events were removed. Also replays the Merkle roots of the checkpoints.
/// </summary>
public static class ChainVerifier
{
    public const int MaxReported = 100;

    public static async Task<AuditReport> VerifyAsync(
        NpgsqlConnection connection, string schema, string organisation, Guid? stream, IReadOnlyList<(long UpTo, long Events, string Root)> checkpoints, CancellationToken ct)
    {
        var (onlyEvents, onlyStream) = stream is null ? ("", "") : (" and stream_id = @stream", " and id = @stream");
        await using var command = new NpgsqlCommand(
            $"""
            select seq_id, stream_id, version, id, type, data::text, encode(bdata, 'hex'), {HashChain.TimestampSql("timestamp")}, tenant_id,
                   correlation_id, causation_id, {HashChain.HeadersSql("headers")}, headers ->> '{HashChain.LinkHeader}'
            from {schema}.mt_events where tenant_id = @tenant{onlyEvents}
            order by seq_id;
            select id, version from {schema}.mt_streams where tenant_id = @tenant{onlyStream};
            """, connection);
        command.Parameters.AddWithValue("tenant", organisation);
        if (stream is { } id)
        {
            command.Parameters.AddWithValue("stream", id);
        }

        var streams = new Dictionary<Guid, StreamState>();
        var broken = new List<BrokenLink>();
        var brokenStreams = 0;
        void Report(BrokenLink link)
        {
            brokenStreams++;
            if (broken.Count < MaxReported)
            {
                broken.Add(link);
            }
        }

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
                var state = streams.TryGetValue(streamId, out var known) ? known : streams[streamId] = new StreamState();
                var canonical = HashChain.Canonical(
                    reader.GetString(4), Text(reader, 5), Text(reader, 6), streamId, version, reader.GetString(7), reader.GetString(8), Text(reader, 9), Text(reader, 10), Text(reader, 11));
                var link = HashChain.Link(state.Link, canonical);
                var stored = Text(reader, 12);
                if (state.Broken is null && version != state.Version + 1)
                {
                    // Removed or reordered: which one is known once the whole stream has been seen.
                    state.Broken = new BrokenLink(sequence, streamId, version, reader.GetGuid(3), reader.GetString(4), "outOfOrder",
                        $"Version {version} follows version {state.Version}.");
                    state.GapAfter = state.Version;
                }
                else if (state.Broken is null && stored != Convert.ToHexStringLower(link))
                {
                    state.Broken = stored is null
                        ? new BrokenLink(sequence, streamId, version, reader.GetGuid(3), reader.GetString(4), "unlinked", "The event has no link: it was written around the chain.")
                        : new BrokenLink(sequence, streamId, version, reader.GetGuid(3), reader.GetString(4), "changed", "The event is not what was linked when it was appended.");
                }

                events++;
                merkle.Add(link);
                (state.Version, state.Link, state.Count, state.MaxVersion) = (version, link, state.Count + 1, Math.Max(state.MaxVersion, version));
            }

            // A stream that says it has more events than are left lost its last ones.
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var state = streams.TryGetValue(reader.GetGuid(0), out var known) ? known : streams[reader.GetGuid(0)] = new StreamState();
                state.RecordedVersion = reader.GetInt64(1);
            }
        }

        foreach (var (streamId, state) in streams)
        {
            if (state.Broken is { Problem: "outOfOrder" } gap && state.Count < Math.Max(state.MaxVersion, state.RecordedVersion))
            {
                Report(gap with { Version = state.GapAfter + 1, EventId = null, Type = null, Problem = "missing",
                    Detail = $"Version {state.GapAfter + 1} is gone: version {gap.Version} follows version {state.GapAfter}." });
            }
            else if (state.Broken is { } found)
            {
                Report(found);
            }
            else if (state.RecordedVersion > state.MaxVersion)
            {
                Report(new BrokenLink(null, streamId, state.MaxVersion + 1, null, null, "missing",
                    $"The stream is at version {state.RecordedVersion}, and its events after version {state.MaxVersion} are gone."));
            }
        }

        Close(long.MaxValue);
        return new AuditReport(
            broken.Count == 0 && checks.All(c => c.Matches), organisation, stream, events, streams.Count(s => s.Value.Count > 0), brokenStreams,
            broken.OrderBy(b => b.Sequence ?? long.MaxValue).FirstOrDefault(), broken.OrderBy(b => b.Sequence ?? long.MaxValue).ToArray(), checks);
    }

    private sealed class StreamState
    {
        public long Version { get; set; }
        public byte[]? Link { get; set; }
        public long Count { get; set; }
        public long MaxVersion { get; set; }
        public long RecordedVersion { get; set; }
        public long GapAfter { get; set; }
        public BrokenLink? Broken { get; set; }
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
