using LearningSystem.Audit.Checkpoints;

namespace LearningSystem.Audit.Verifying;

/// <summary>Where the chain breaks: the event (or the place an event was), and what is wrong there.</summary>
public sealed record BrokenLink(long? Sequence, Guid StreamId, long Version, Guid? EventId, string? Type, string Problem, string Detail);

/// <summary>
/// A checkpoint checked: its signature, its place in the chain of checkpoints, and (for a whole organisation)
/// its Merkle root against the links recomputed from the events as they are now.
/// </summary>
public sealed record CheckpointCheck(
    long Number, long UpToSequence, long Events, string? Root, bool Matches, bool RootChecked, string? RecomputedRoot, string? Problem, string? Detail);

public sealed record AuditReport(
    bool Intact, string Organisation, Guid? Stream, long EventsChecked, int StreamsChecked, int BrokenStreams,
    BrokenLink? FirstBroken, IReadOnlyList<BrokenLink> Broken, IReadOnlyList<CheckpointCheck> Checkpoints, bool SignaturesChecked);

/// <summary>
/// The verification itself, with no database: fed the events of an organisation (or of one stream) in sequence
/// order, each stream's recorded version, and the checkpoints, it recomputes every link and root and says where
/// history departs from what was linked or checkpointed. The service and the offline verifier both run it.
/// </summary>
public sealed class ChainCheck
{
    public const int MaxReported = 100;

    private readonly string _organisation;
    private readonly Guid? _stream;
    private readonly Dictionary<Guid, StreamState> _streams = [];
    private readonly Dictionary<Guid, List<Head>> _heads = [];
    private readonly AuditCheckpoint[] _byReach;
    private readonly Dictionary<long, CheckpointCheck> _checks = [];
    private readonly bool _someCheckpointUnsound;
    private readonly bool _signaturesChecked;
    private readonly Merkle _merkle = new();
    private readonly bool _fromTheStart;
    private bool _wholeHistory;
    private int _nextToClose;
    private int _covering;
    private long _events;

    /// <param name="after">For an export that starts after this sequence number: the streams it does not reach are not its to judge.</param>
    public ChainCheck(string organisation, Guid? stream, IReadOnlyList<AuditCheckpoint> checkpoints, TrustedKeys trusted, long after = long.MinValue)
    {
        _fromTheStart = after == long.MinValue;
        (_organisation, _stream, _signaturesChecked, _wholeHistory) = (organisation, stream, trusted.Any, stream is null && _fromTheStart);
        long expected = 1;
        var previous = AuditCheckpoint.NoPrevious;
        var sound = new List<AuditCheckpoint>();
        foreach (var checkpoint in checkpoints.OrderBy(c => c.Number))
        {
            string? problem = null, detail = null;
            if (checkpoint.Number > expected)
            {
                for (var gone = expected; gone < checkpoint.Number; gone++)
                {
                    _checks[gone] = new CheckpointCheck(gone, 0, 0, null, false, false, null, "missing",
                        $"Checkpoint {gone} is gone: checkpoint {checkpoint.Number} follows checkpoint {expected - 1}.");
                }

                _someCheckpointUnsound = true;
            }
            else if (checkpoint.Number < expected)
            {
                (problem, detail) = ("altered", $"There is more than one checkpoint {checkpoint.Number}.");
            }
            else if (checkpoint.Previous != previous)
            {
                (problem, detail) = ("altered", $"Checkpoint {checkpoint.Number} does not name checkpoint {checkpoint.Number - 1}'s statement as the previous one: one of them was altered.");
            }

            if (problem is null && checkpoint.Statement != checkpoint.ExpectedStatement(organisation))
            {
                (problem, detail) = ("altered", "The checkpoint's fields are not what its statement says.");
            }
            else if (problem is null && AuditCheckpoint.RootOfHeads(checkpoint.Heads) != checkpoint.HeadsRoot)
            {
                (problem, detail) = ("altered", "The stream heads recorded with the checkpoint are not the ones its heads root commits to.");
            }
            else if (problem is null && trusted.Any && trusted.Check(checkpoint.Statement, checkpoint.KeyId, checkpoint.Signature) is { } why)
            {
                (problem, detail) = ("altered", why);
            }

            if (problem is not null)
            {
                _someCheckpointUnsound = true;
                _checks[checkpoint.Number] = new CheckpointCheck(checkpoint.Number, checkpoint.UpToSequence, checkpoint.Events, checkpoint.Root, false, false, null, problem, detail);
            }
            else
            {
                sound.Add(checkpoint);
                // Only a checkpoint that is what was signed says anything about the history.
                foreach (var head in checkpoint.Heads.Where(h => stream is null || h.StreamId == stream))
                {
                    (_heads.TryGetValue(head.StreamId, out var list) ? list : _heads[head.StreamId] = []).Add(new Head(checkpoint.Number, head.Version, head.Link));
                }
            }

            expected = Math.Max(expected, checkpoint.Number + 1);
            previous = checkpoint.StatementHash();
        }

        _byReach = [.. sound.OrderBy(c => c.UpToSequence)];
    }

    public void Add(StoredEvent e)
    {
        CloseBefore(e.Sequence);
        var state = State(e.StreamId);
        var link = HashChain.Link(state.Link, HashChain.Canonical(e));
        var hex = Convert.ToHexStringLower(link);
        if (state.Broken is null && e.Version != state.Version + 1)
        {
            // Removed or reordered: which one is known once the whole stream has been seen.
            state.Broken = new BrokenLink(e.Sequence, e.StreamId, e.Version, e.Id, e.Type, "outOfOrder", $"Version {e.Version} follows version {state.Version}.");
            state.GapAfter = state.Version;
        }
        else if (state.Broken is null && e.Link != hex)
        {
            state.Broken = e.Link is null
                ? new BrokenLink(e.Sequence, e.StreamId, e.Version, e.Id, e.Type, "unlinked", "The event has no link: it was written around the chain.")
                : new BrokenLink(e.Sequence, e.StreamId, e.Version, e.Id, e.Type, "changed", "The event is not what was linked when it was appended.");
        }
        else if (state.Broken is null && e.Archived)
        {
            state.Broken = new BrokenLink(e.Sequence, e.StreamId, e.Version, e.Id, e.Type, "archived", "The event is archived, which hides it from every view; nothing here archives events.");
        }

        if (state.Broken is null)
        {
            state.Broken = AgainstCheckpoints(e, hex, _heads.TryGetValue(e.StreamId, out var heads) ? heads : [], state);
        }

        _events++;
        _merkle.Add(link);
        (state.Version, state.Link, state.Count, state.MaxVersion) = (e.Version, link, state.Count + 1, Math.Max(state.MaxVersion, e.Version));
    }

    /// <summary>
    /// Where a stream stood before the first event fed, for an export that starts part way: its chain goes on
    /// from that link. Roots, which need every link from the start, are then not checked.
    /// </summary>
    public void Resume(Guid stream, long version, string link)
    {
        var state = State(stream);
        (state.Version, state.Link, state.Count, state.MaxVersion, state.ConfirmedVersion) = (version, Convert.FromHexString(link), version, version, version);
        _wholeHistory = false;
    }

    /// <summary>The version the organisation's stream table records for a stream.</summary>
    public void Recorded(Guid stream, long version) => State(stream).RecordedVersion = version;

    public AuditReport Finish()
    {
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

        foreach (var (streamId, state) in _streams)
        {
            var lastRecorded = _heads.TryGetValue(streamId, out var heads) ? heads.MaxBy(h => h.Version) : null;
            if (state.Broken is { Problem: "outOfOrder" } gap && state.Count < Math.Max(state.MaxVersion, state.RecordedVersion))
            {
                Report(gap with { Version = state.GapAfter + 1, EventId = null, Type = null, Problem = "missing",
                    Detail = $"Version {state.GapAfter + 1} is gone: version {gap.Version} follows version {state.GapAfter}." });
            }
            else if (state.Broken is { } found)
            {
                Report(found);
            }
            else if (lastRecorded is { } head && head.Version > state.MaxVersion)
            {
                Report(new BrokenLink(null, streamId, state.MaxVersion + 1, null, null, "missing",
                    $"Checkpoint {head.Number} recorded this stream at version {head.Version}, and it now ends at version {state.MaxVersion}: its later events are gone."));
            }
            else if (state.RecordedVersion > state.MaxVersion)
            {
                Report(new BrokenLink(null, streamId, state.MaxVersion + 1, null, null, "missing",
                    $"The stream is at version {state.RecordedVersion}, and its events after version {state.MaxVersion} are gone."));
            }
            else if (state.Count > 0 && state.MaxVersion > state.RecordedVersion)
            {
                Report(new BrokenLink(null, streamId, state.RecordedVersion + 1, null, null, "unrecorded",
                    $"The stream is at version {state.RecordedVersion}, yet it has events up to version {state.MaxVersion}: they were inserted around the event store."));
            }
        }

        // A stream deleted whole, its events and its record, left nothing to feed: the checkpoints' heads still name it.
        // Only a check fed from the start can tell: an export that starts part way leaves out untouched streams.
        foreach (var (streamId, heads) in _heads)
        {
            if (!_fromTheStart || _streams.ContainsKey(streamId))
            {
                continue;
            }

            var last = heads.MaxBy(h => h.Version)!;
            var reach = _byReach.First(c => c.Number == last.Number).UpToSequence;
            Report(new BrokenLink(null, streamId, last.Version, null, null, "missing",
                $"The whole stream is gone, its events and its record: checkpoint {last.Number} recorded it at version {last.Version}, its last event at or before sequence {reach}."));
        }

        CloseBefore(long.MaxValue);
        var checks = _checks.Values.OrderBy(c => c.Number).ToArray();
        var ordered = broken.OrderBy(b => b.Sequence ?? long.MaxValue).ToArray();
        return new AuditReport(
            ordered.Length == 0 && checks.All(c => c.Matches), _organisation, _stream, _events, _streams.Count(s => s.Value.Count > 0), brokenStreams,
            ordered.FirstOrDefault(), ordered, checks, _signaturesChecked);
    }

    /// <summary>
    /// A stream's link at a version a checkpoint recorded must be the one recorded; and an event inside a
    /// checkpoint's reach must be one it counted, at or before the head it recorded for the stream.
    /// </summary>
    private BrokenLink? AgainstCheckpoints(StoredEvent e, string link, List<Head> heads, StreamState state)
    {
        foreach (var head in heads.Where(h => h.Version == e.Version))
        {
            if (head.Link != link)
            {
                return new BrokenLink(e.Sequence, e.StreamId, e.Version, e.Id, e.Type, "rewritten",
                    $"Checkpoint {head.Number} recorded version {e.Version} of this stream with another link: its history was rewritten after version {state.ConfirmedVersion} and up to version {e.Version}, and linked anew.");
            }

            state.ConfirmedVersion = e.Version;
        }

        while (_covering < _byReach.Length && _byReach[_covering].UpToSequence < e.Sequence)
        {
            _covering++;
        }

        // Without every checkpoint, a stream's heads are incomplete, and reach proves nothing.
        if (_someCheckpointUnsound || _covering == _byReach.Length)
        {
            return null;
        }

        var reach = _byReach[_covering];
        var recorded = heads.Where(h => h.Number <= reach.Number).Select(h => h.Version).DefaultIfEmpty(0).Max();
        return e.Version <= recorded
            ? null
            : new BrokenLink(e.Sequence, e.StreamId, e.Version, e.Id, e.Type, "inserted",
                $"Sequence {e.Sequence} is within checkpoint {reach.Number}, which recorded this stream only up to version {recorded}: the event was inserted afterwards.");
    }

    /// <summary>Each checkpoint's root is compared once every link up to its sequence has been added.</summary>
    private void CloseBefore(long sequence)
    {
        if (!_wholeHistory)
        {
            // One stream's links, or the links after some point, are not the organisation's: roots are checked over its whole history only.
            while (_nextToClose < _byReach.Length && (sequence == long.MaxValue || _byReach[_nextToClose].UpToSequence < sequence))
            {
                var c = _byReach[_nextToClose++];
                _checks[c.Number] = new CheckpointCheck(c.Number, c.UpToSequence, c.Events, c.Root, true, false, null, null, null);
            }

            return;
        }

        while (_nextToClose < _byReach.Length && _byReach[_nextToClose].UpToSequence < sequence)
        {
            var c = _byReach[_nextToClose++];
            var recomputed = Convert.ToHexStringLower(_merkle.Root());
            var matches = recomputed == c.Root && _merkle.Count == c.Events;
            _checks[c.Number] = new CheckpointCheck(c.Number, c.UpToSequence, c.Events, c.Root, matches, true, matches ? null : recomputed,
                matches ? null : "rootDiffers",
                matches ? null : $"The {_merkle.Count} links up to sequence {c.UpToSequence} have another Merkle root than the {c.Events} the checkpoint signed.");
        }
    }

    private StreamState State(Guid stream) => _streams.TryGetValue(stream, out var known) ? known : _streams[stream] = new StreamState();

    private sealed record Head(long Number, long Version, string Link);

    private sealed class StreamState
    {
        public long Version { get; set; }
        public byte[]? Link { get; set; }
        public long Count { get; set; }
        public long MaxVersion { get; set; }
        public long RecordedVersion { get; set; }
        public long GapAfter { get; set; }
        public long ConfirmedVersion { get; set; }
        public BrokenLink? Broken { get; set; }
    }
}
