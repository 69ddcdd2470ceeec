using System.Reflection;
using System.Text.Json.Serialization;
using LearningSystem.Hosting;
using LearningSystem.Participants;
using Marten;
using JasperFx.Events;
using Microsoft.AspNetCore.Http.Metadata;
using Wolverine.Http;

namespace LearningSystem.Priorities;

/// <summary>A negotiation move: made by a participant (<c>by</c>), optionally at an expected version of the priority.</summary>
public interface IMove : IActedBy
{
    Guid? By { get; }
    long? ExpectedVersion { get; }

    Guid? IActedBy.ActingParticipant => By;
}

/// <summary>A move under way: the priority's stream, its state, who acts, and when.</summary>
public sealed record Move(IEventStream<Priority> Stream, Priority Priority, Actor Actor, DateTimeOffset Now);

/// <summary>What every move shares: the expected version, the acting participant, and appending what was decided.</summary>
public static class Moves
{
    public static async Task<Move> BeginAsync(
        Guid priorityId, IMove move, bool versionRequired, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var expected = ExpectedVersion(move, http);
        if (versionRequired && expected is null)
        {
            throw Rejected.Invalid("This move depends on the priority's current state: give expectedVersion or If-Match.", "expectedVersion");
        }

        var stream = await session.Events.FetchForWriting<Priority>(priorityId, ct);
        var priority = stream.Aggregate ?? throw Rejected.NotFound($"No priority {priorityId} is set.");
        if (expected is { } version && version != priority.Version)
        {
            throw new Rejected(RejectionKind.Conflict, $"The priority is at version {priority.Version}, not {version}. Read it again and retry.")
            {
                Facts = new Dictionary<string, object?> { ["currentVersion"] = priority.Version },
            };
        }

        return new Move(stream, priority, await Acting.ActorAsync(session, move.By!.Value, "by", ct), clock.GetUtcNow());
    }

    public static Accepted Append(Move move, params object[] events)
    {
        move.Stream.AppendMany(events);
        return new Accepted(move.Priority.Version + events.Length, events.Select(CreatedId).FirstOrDefault(id => id is not null));
    }

    /// <summary>From <c>expectedVersion</c> in the body or the <c>If-Match</c> header (<c>"3"</c>, <c>W/"3"</c> or <c>3</c>).</summary>
    public static long? ExpectedVersion(IMove move, HttpContext http)
    {
        var header = http.Request.Headers.IfMatch.ToString();
        long? fromHeader = null;
        if (header.Length > 0)
        {
            var text = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
            fromHeader = long.TryParse(text.Trim('"'), System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw Rejected.Invalid($"If-Match '{header}' is not a priority version.", "If-Match");
        }

        if (fromHeader is not null && move.ExpectedVersion is not null && fromHeader != move.ExpectedVersion)
        {
            throw Rejected.Invalid("expectedVersion and If-Match disagree.", "expectedVersion");
        }

        return fromHeader ?? move.ExpectedVersion;
    }

    private static Guid? CreatedId(object e) => e switch
    {
        ObjectionRaised o => o.ObjectionId,
        AmendmentProposed a => a.AmendmentId,
        CounterProposed c => c.CounterProposalId,
        _ => null,
    };
}
