using LearningSystem.Curriculum;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.ServiceRedesigns;
using Marten;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Negotiating;

/// <summary>A negotiation move: made by a participant (<c>by</c>), optionally at an expected version of the proposal.</summary>
public interface IMove : IActedBy
{
    Guid? By { get; }
    long? ExpectedVersion { get; }

    Guid? IActedBy.ActingParticipant => By;
}

/// <summary>What every move shares: the expected version, the acting participant, and appending what was decided.</summary>
public static class Moves
{
    public const string Priorities = "priorities";
    public const string ServiceRedesigns = "service-redesigns";
    public const string CurriculumChanges = "curriculum-changes";

    /// <summary>The kinds of proposal negotiated by the shared moves, as their routes name them.</summary>
    public static readonly IReadOnlyList<string> Kinds = [Priorities, ServiceRedesigns, CurriculumChanges];

    /// <summary>Makes one shared move on the proposal the route names: <c>/api/{kind}/{id}/…</c>.</summary>
    public static Task<Accepted> MakeAsync(
        string kind, Guid id, IMove move, bool versionRequired, Func<INegotiable, Actor, DateTimeOffset, object> decide,
        HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        MakeAsync(kind, id, move, versionRequired, (proposal, actor, now) => Task.FromResult(decide(proposal, actor, now)), http, session, clock, ct);

    /// <summary>Makes one shared move whose decision also needs something read after the proposal's lock is held.</summary>
    public static Task<Accepted> MakeAsync(
        string kind, Guid id, IMove move, bool versionRequired, Func<INegotiable, Actor, DateTimeOffset, Task<object>> decide,
        HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) => kind switch
        {
            Priorities => MakeAsync<Priority>(id, move, versionRequired, decide, http, session, clock, ct),
            ServiceRedesigns => MakeAsync<ServiceRedesign>(id, move, versionRequired, decide, http, session, clock, ct),
            CurriculumChanges => MakeAsync<CurriculumChange>(id, move, versionRequired, decide, http, session, clock, ct),
            _ => throw UnknownKind(kind),
        };

    /// <summary>Whether a proposal of the kind the route names exists.</summary>
    public static async Task<bool> ExistsAsync(string kind, Guid id, IQuerySession session, CancellationToken ct) => kind switch
    {
        Priorities => await session.LoadAsync<Priority>(id, ct) is not null,
        ServiceRedesigns => await session.LoadAsync<ServiceRedesign>(id, ct) is not null,
        CurriculumChanges => await session.LoadAsync<CurriculumChange>(id, ct) is not null,
        _ => throw UnknownKind(kind),
    };

    public static async Task<StreamAct<T>> BeginAsync<T>(
        Guid id, IMove move, bool versionRequired, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
        where T : class, INegotiable
    {
        var expected = ExpectedVersion(move, http);
        if (versionRequired && expected is null)
        {
            throw Rejected.Invalid("This move depends on the proposal's current state: give expectedVersion or If-Match.", "expectedVersion");
        }

        // A move without a version needs no order against others: it queues on the stream's lock instead of racing.
        var (stream, participant) = await Acting.FetchWithActorAsync<T>(id, move.By!.Value, session, ct, exclusive: expected is null);
        var proposal = stream.Aggregate ?? throw Rejected.NotFound(NotFound<T>(id));
        if (expected is { } version && version != proposal.Version)
        {
            throw new Rejected(RejectionKind.Conflict, $"It is at version {proposal.Version}, not {version}. Read it again and retry.")
            {
                Facts = new Dictionary<string, object?> { ["currentVersion"] = proposal.Version },
            };
        }

        return new StreamAct<T>(stream, proposal, Acting.Admit(session, participant, move.By!.Value, "by"), clock.GetUtcNow());
    }

    public static Accepted Append<T>(StreamAct<T> move, params object[] events) where T : class, INegotiable
    {
        move.Stream.AppendMany(events);
        return new Accepted(move.State.Version + events.Length, events.Select(CreatedId).FirstOrDefault(id => id is not null));
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
                : throw Rejected.Invalid($"If-Match '{header}' is not a version.", "If-Match");
        }

        if (fromHeader is not null && move.ExpectedVersion is not null && fromHeader != move.ExpectedVersion)
        {
            throw Rejected.Invalid("expectedVersion and If-Match disagree.", "expectedVersion");
        }

        return fromHeader ?? move.ExpectedVersion;
    }

    private static async Task<Accepted> MakeAsync<T>(
        Guid id, IMove move, bool versionRequired, Func<INegotiable, Actor, DateTimeOffset, Task<object>> decide,
        HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
        where T : class, INegotiable
    {
        var act = await BeginAsync<T>(id, move, versionRequired, http, session, clock, ct);
        return Append(act, await decide(act.State, act.Actor, act.Now));
    }

    private static Rejected UnknownKind(string kind) =>
        Rejected.NotFound($"Nothing called '{kind}' is negotiated here; moves are made on {string.Join(", ", Kinds)}.");

    private static string NotFound<T>(Guid id) => typeof(T).Name switch
    {
        nameof(Priority) => $"No priority {id} is set.",
        nameof(ServiceRedesign) => $"No service redesign {id} is proposed.",
        _ => $"No curriculum change {id} is proposed.",
    };

    private static Guid? CreatedId(object e) => e switch
    {
        ObjectionRaised o => o.ObjectionId,
        AmendmentProposed a => a.AmendmentId,
        CounterProposed c => c.CounterProposalId,
        PriorityDecided d => d.DecisionId,
        LearningSystem.Negotiating.Deciding.ChangeDecided d => d.DecisionId,
        _ => null,
    };
}
