using LearningSystem.Negotiating.Deciding;
using Marten;
using Marten.Linq.MatchesSql;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Curriculum.Reading;

/// <summary>
/// How far a curriculum change has come: open (not yet decided), approved (not yet taught), rejected, or taught.
/// A pure function of the view and the same condition in SQL, so the list filters exactly as a page labels.
/// </summary>
public static class CurriculumState
{
    public const string Open = "open", Approved = "approved", Rejected = "rejected", Taught = "taught";

    public static IReadOnlyList<string> All { get; } = [Open, Approved, Rejected, Taught];

    public static string Of(CurriculumChange c) =>
        c.Sessions.Count > 0 ? Taught
        : c.Decision is null ? Open
        : c.Decision.Outcome == ChangeOutcome.Rejected ? Rejected
        : Approved;

    /// <summary>The state as a condition on the stored view, where Marten keeps enums by their C# names.</summary>
    public static string Sql(string state)
    {
        const string Untaught = "jsonb_array_length(coalesce(d.data -> 'sessions', '[]'::jsonb)) = 0";
        return state switch
        {
            Taught => "jsonb_array_length(coalesce(d.data -> 'sessions', '[]'::jsonb)) > 0",
            Open => $"coalesce(d.data -> 'decision', 'null'::jsonb) = 'null'::jsonb and {Untaught}",
            Rejected => $"d.data -> 'decision' ->> 'outcome' = 'Rejected' and {Untaught}",
            Approved => $"d.data -> 'decision' ->> 'outcome' = 'Approved' and {Untaught}",
            _ => throw LearningSystem.Rejected.Invalid($"state is one of {string.Join(", ", All)}.", "state"),
        };
    }
}

public static class ListCurriculumChangesEndpoint
{
    public static SortKey<CurriculumChange>[] Sorts(string schema) =>
    [
        SortKey<CurriculumChange>.Date("proposedAt", schema, "proposedAt", c => c.ProposedAt),
        SortKey<CurriculumChange>.Text("learningOutcome", "learningOutcome", c => c.LearningOutcome),
        SortKey<CurriculumChange>.Text("course", "course", c => c.Course),
    ];

    /// <summary>Curriculum changes by <c>state</c>, by course and by when they were proposed (<c>from</c> ≤ proposedAt &lt; <c>to</c>); oldest first unless <c>sort</c> says otherwise.</summary>
    [WolverineGet("/api/curriculum-changes", OperationId = "listCurriculumChanges"), Tags(CurriculumModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static Task<IReadOnlyList<CurriculumChange>> Get(
        string? state, string? course, DateTimeOffset? from, DateTimeOffset? to, string? sort, int? limit, string? after,
        HttpContext http, IQuerySession session, CancellationToken ct) =>
        Listing.PageAsync(http, Filter(session, state, course, from, to),
            Listing.Sort(sort, false, Sorts(session.DocumentStore.Options.DatabaseSchemaName)), limit, after, c => c.Id, ct);

    /// <summary>The same list, with the same filters and order, as CSV.</summary>
    [WolverineGet("/api/curriculum-changes.csv", OperationId = "listCurriculumChangesCsv"), Tags(CurriculumModule.Tag)]
    [Produces(Csv.MediaType)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static IResult GetCsv(
        string? state, string? course, DateTimeOffset? from, DateTimeOffset? to, string? sort, IQuerySession session, CancellationToken ct)
    {
        var changes = Listing.AllAsync(Filter(session, state, course, from, to),
            Listing.Sort(sort, false, Sorts(session.DocumentStore.Options.DatabaseSchemaName)), c => c.Id, ct);
        return Csv.Stream(["id", "course", "module", "learningOutcome", "state", "proposedBy", "proposerGroup", "proposedAt", "endorsements", "sessions", "version"],
            Rows(changes), "curriculum-changes.csv");

        static async IAsyncEnumerable<object?[]> Rows(IAsyncEnumerable<CurriculumChange> all)
        {
            await foreach (var c in all)
            {
                yield return
                [
                    c.Id, c.Course, c.Module, c.LearningOutcome, CurriculumState.Of(c), c.ProposedBy, c.ProposerGroup, c.ProposedAt,
                    c.Negotiation.Endorsements, c.Sessions.Count, c.Version,
                ];
            }
        }
    }

    public static IQueryable<CurriculumChange> Filter(IQuerySession session, string? state, string? course, DateTimeOffset? from, DateTimeOffset? to)
    {
        var query = session.Query<CurriculumChange>().AsQueryable();
        if (state is not null)
        {
            var sql = CurriculumState.Sql(state);
            query = query.Where(c => c.MatchesSql(sql));
        }

        if (course is not null)
        {
            query = query.Where(c => c.Course == course);
        }

        query = Listing.Within(query, c => c.ProposedAt, from, to);

        return query;
    }
}
