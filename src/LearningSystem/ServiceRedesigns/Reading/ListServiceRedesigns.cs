using LearningSystem.Negotiating.Deciding;
using Marten;
using Marten.Linq.MatchesSql;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.ServiceRedesigns.Reading;

/// <summary>
/// How far a redesign has come round the loop: open (not yet decided), approved (not yet implemented), rejected,
/// implemented (no outcome measured yet), measured (not yet evaluated) or evaluated. Each state is a pure function
/// of the view and the same condition in SQL, so the list filters exactly as a page labels.
/// </summary>
public static class RedesignState
{
    public const string Open = "open", Approved = "approved", Rejected = "rejected", Implemented = "implemented", Measured = "measured", Evaluated = "evaluated";

    public static IReadOnlyList<string> All { get; } = [Open, Approved, Rejected, Implemented, Measured, Evaluated];

    public static string Of(ServiceRedesign r) =>
        r.Evaluations.Count > 0 ? Evaluated
        : r.Outcomes.Count > 0 ? Measured
        : r.Implementations.Count > 0 ? Implemented
        : r.Decision is null ? Open
        : r.Decision.Outcome == ChangeOutcome.Rejected ? Rejected
        : Approved;

    /// <summary>The state as a condition on the stored view, where Marten keeps enums by their C# names.</summary>
    public static string Sql(string state)
    {
        static string Count(string list) => $"jsonb_array_length(coalesce(d.data -> '{list}', '[]'::jsonb))";
        return state switch
        {
            Evaluated => $"{Count("evaluations")} > 0",
            Measured => $"{Count("outcomes")} > 0 and {Count("evaluations")} = 0",
            Implemented => $"{Count("implementations")} > 0 and {Count("outcomes")} = 0 and {Count("evaluations")} = 0",
            Open => $"coalesce(d.data -> 'decision', 'null'::jsonb) = 'null'::jsonb and {Count("implementations")} = 0",
            Rejected => $"d.data -> 'decision' ->> 'outcome' = 'Rejected' and {Count("implementations")} = 0",
            Approved => $"d.data -> 'decision' ->> 'outcome' = 'Approved' and {Count("implementations")} = 0",
            _ => throw LearningSystem.Rejected.Invalid($"state is one of {string.Join(", ", All)}.", "state"),
        };
    }
}

public static class ListServiceRedesignsEndpoint
{
    public static SortKey<ServiceRedesign>[] Sorts(string schema) =>
    [
        SortKey<ServiceRedesign>.Date("proposedAt", schema, "proposedAt", r => r.ProposedAt),
        SortKey<ServiceRedesign>.Text("title", "title", r => r.Title),
        SortKey<ServiceRedesign>.Text("service", "service", r => r.Service),
    ];

    /// <summary>Service redesigns by <c>state</c>, by service and by when they were proposed (<c>from</c> ≤ proposedAt &lt; <c>to</c>); oldest first unless <c>sort</c> says otherwise.</summary>
    [WolverineGet("/api/service-redesigns", OperationId = "listServiceRedesigns"), Tags(ServiceRedesignsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static Task<IReadOnlyList<ServiceRedesign>> Get(
        string? state, string? service, DateTimeOffset? from, DateTimeOffset? to, string? sort, int? limit, string? after,
        HttpContext http, IQuerySession session, CancellationToken ct) =>
        Listing.PageAsync(http, Filter(session, state, service, from, to),
            Listing.Sort(sort, false, Sorts(session.DocumentStore.Options.DatabaseSchemaName)), limit, after, r => r.Id, ct);

    /// <summary>The same list, with the same filters and order, as CSV.</summary>
    [WolverineGet("/api/service-redesigns.csv", OperationId = "listServiceRedesignsCsv"), Tags(ServiceRedesignsModule.Tag)]
    [Produces(Csv.MediaType)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static IResult GetCsv(
        string? state, string? service, DateTimeOffset? from, DateTimeOffset? to, string? sort, IQuerySession session, CancellationToken ct)
    {
        var redesigns = Listing.AllAsync(Filter(session, state, service, from, to),
            Listing.Sort(sort, false, Sorts(session.DocumentStore.Options.DatabaseSchemaName)), r => r.Id, ct);
        return Csv.Stream(["id", "title", "service", "state", "proposedBy", "proposerGroup", "proposedAt", "evidence", "endorsements", "implementations", "outcomes", "evaluations", "version"],
            Rows(redesigns), "service-redesigns.csv");

        static async IAsyncEnumerable<object?[]> Rows(IAsyncEnumerable<ServiceRedesign> all)
        {
            await foreach (var r in all)
            {
                yield return
                [
                    r.Id, r.Title, r.Service, RedesignState.Of(r), r.ProposedBy, r.ProposerGroup, r.ProposedAt, r.Evidence.Count,
                    r.Negotiation.Endorsements, r.Implementations.Count, r.Outcomes.Count, r.Evaluations.Count, r.Version,
                ];
            }
        }
    }

    public static IQueryable<ServiceRedesign> Filter(IQuerySession session, string? state, string? service, DateTimeOffset? from, DateTimeOffset? to)
    {
        var query = session.Query<ServiceRedesign>().AsQueryable();
        if (state is not null)
        {
            var sql = RedesignState.Sql(state);
            query = query.Where(r => r.MatchesSql(sql));
        }

        if (!string.IsNullOrWhiteSpace(service))
        {
            query = query.Where(r => r.Service == service);
        }

        query = Listing.Within(query, r => r.ProposedAt, from, to);

        return query;
    }
}
