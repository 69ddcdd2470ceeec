using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Rounds.Reading;

/// <summary>Every priority-setting round, by the stage it has reached.</summary>
public static class ListRoundsEndpoint
{
    public static SortKey<Round>[] Sorts(string schema) =>
    [
        SortKey<Round>.Date("openedAt", schema, "openedAt", r => r.OpenedAt),
        SortKey<Round>.Text("question", "question", r => r.Question),
        SortKey<Round>.Number("respondents", "respondents", r => r.Respondents),
    ];

    /// <summary>Rounds by <c>state</c> (open, shortlisted or published) and by when they opened (<c>from</c> ≤ openedAt &lt; <c>to</c>); oldest first unless <c>sort</c> says otherwise.</summary>
    [WolverineGet("/api/rounds", OperationId = "listRounds"), Tags(RoundsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static Task<IReadOnlyList<Round>> Get(
        string? state, DateTimeOffset? from, DateTimeOffset? to, string? sort, int? limit, string? after, HttpContext http, IQuerySession session, CancellationToken ct) =>
        Listing.PageAsync(http, Filter(session, state, from, to), Listing.Sort(sort, false, Sorts(session.DocumentStore.Options.DatabaseSchemaName)), limit, after, r => r.Id, ct);

    /// <summary>The same list, with the same filters and order, as CSV.</summary>
    [WolverineGet("/api/rounds.csv", OperationId = "listRoundsCsv"), Tags(RoundsModule.Tag)]
    [Produces(Csv.MediaType)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static IResult GetCsv(string? state, DateTimeOffset? from, DateTimeOffset? to, string? sort, IQuerySession session, CancellationToken ct)
    {
        var rounds = Listing.AllAsync(Filter(session, state, from, to), Listing.Sort(sort, false, Sorts(session.DocumentStore.Options.DatabaseSchemaName)), r => r.Id, ct);
        return Csv.Stream(["id", "question", "scope", "state", "openedAt", "priorities", "respondents", "shortlisted", "published", "version"], Rows(rounds), "rounds.csv");

        static async IAsyncEnumerable<object?[]> Rows(IAsyncEnumerable<Round> all)
        {
            await foreach (var r in all)
            {
                yield return [r.Id, r.Question, r.Scope, r.Stage, r.OpenedAt, r.Priorities.Count, r.Respondents, r.Shortlist.Count, r.Published.Count, r.Version];
            }
        }
    }

    public static IQueryable<Round> Filter(IQuerySession session, string? state, DateTimeOffset? from, DateTimeOffset? to)
    {
        var query = session.Query<Round>().AsQueryable();
        if (state is not null)
        {
            var stage = WireValues<RoundStage>.Parse(state, "state");
            query = query.Where(r => r.Stage == stage);
        }

        query = Listing.Within(query, r => r.OpenedAt, from, to);

        return query;
    }
}
