using LearningSystem.Priorities;
using Marten;
using Marten.Events;
using LearningSystem.Http;

namespace LearningSystem.Rounds;

/// <summary>Why a priority of a round no longer counts in it.</summary>
public enum SetAsideReason
{
    Withdrawn,
    Merged,
    Rejected,
}

/// <summary>A priority that left its round: its rankings stay in the history but earn nothing, and its points go nowhere.</summary>
public sealed record SetAsidePriority(Guid Priority, SetAsideReason Reason, Guid? MergedInto)
{
    public string Describe() => Reason switch
    {
        SetAsideReason.Merged => $"{Priority} (merged into {MergedInto})",
        _ => $"{Priority} ({WireValues<SetAsideReason>.Name(Reason)})",
    };
}

/// <summary>
/// Which of a round's priorities still count. A priority counts while it is open or agreed; withdrawn, merged
/// and rejected ones are set aside, and a reopened one counts again. It lives on the priorities' own streams,
/// so the round reads it rather than keeping a copy that could drift.
/// </summary>
public sealed record RoundStanding(IReadOnlyList<SetAsidePriority> SetAside)
{
    public static readonly RoundStanding AllLive = new([]);

    public bool IsLive(Guid priority) => SetAside.All(s => s.Priority != priority);

    public IReadOnlyList<Guid> Live(IEnumerable<Guid> priorities) => priorities.Where(IsLive).ToArray();

    /// <summary>Refuses an act that names set-aside priorities, naming each and why.</summary>
    public void EnsureLive(IEnumerable<Guid> named, string refusal)
    {
        var left = named.Select(p => SetAside.FirstOrDefault(s => s.Priority == p)).OfType<SetAsidePriority>().ToArray();
        if (left.Length > 0)
        {
            throw new Rejected(RejectionKind.Conflict,
                $"{refusal}: {string.Join(", ", left.Select(s => s.Describe()))}.")
            {
                Facts = new Dictionary<string, object?> { ["setAside"] = left },
            };
        }
    }

    /// <summary>The standing a priority's status events give, folded in order.</summary>
    public static SetAsidePriority? Evolve(SetAsidePriority? current, Guid priority, object e) => e switch
    {
        PriorityWithdrawn => new SetAsidePriority(priority, SetAsideReason.Withdrawn, null),
        PriorityMerged m => new SetAsidePriority(priority, SetAsideReason.Merged, m.Into),
        PriorityDecided { Outcome: DecisionOutcome.Rejected } => new SetAsidePriority(priority, SetAsideReason.Rejected, null),
        PriorityDecided or DecisionReopened => null,
        _ => current,
    };

    /// <summary>The standing of <paramref name="priorities"/> now, or as it was at <paramref name="asOf"/>, from their status events in one query.</summary>
    public static async Task<RoundStanding> LoadAsync(IQuerySession session, IReadOnlyCollection<Guid> priorities, DateTimeOffset? asOf, CancellationToken ct)
    {
        if (priorities.Count == 0)
        {
            return AllLive;
        }

        var ids = priorities.ToArray();
        var query = session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId.IsOneOf(ids))
            .Where(e => e.EventTypesAre(typeof(PriorityWithdrawn), typeof(PriorityMerged), typeof(PriorityDecided), typeof(DecisionReopened)));
        if (asOf is { } at)
        {
            query = query.Where(e => e.Timestamp <= at);
        }

        var standing = new Dictionary<Guid, SetAsidePriority?>();
        foreach (var e in await query.OrderBy(e => e.Sequence).ToListAsync(ct))
        {
            standing[e.StreamId] = Evolve(standing.GetValueOrDefault(e.StreamId), e.StreamId, e.Data);
        }

        return new RoundStanding(ids.Select(standing.GetValueOrDefault).OfType<SetAsidePriority>().ToArray());
    }
}
