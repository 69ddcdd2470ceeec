using LearningSystem.Feedback;
using LearningSystem.Participants;
using LearningSystem.ServiceRedesigns;
using LearningSystem.Storage;
using Marten;
using Marten.Linq.MatchesSql;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Priorities.Reading;

/// <summary>What a list of priorities is filtered by; every filter given must hold.</summary>
public sealed record PriorityFilter(
    string? Status, string? SetByGroup, Guid? RoundId, string? Service, DateTimeOffset? From, DateTimeOffset? To, string? Q);

/// <summary>Who set which priorities: filtered, sorted and paged, or downloaded whole as CSV.</summary>
public static class ListPrioritiesEndpoint
{
    public static SortKey<Priority>[] Sorts(string schema) =>
    [
        SortKey<Priority>.Date("setAt", schema, "setAt", p => p.SetAt),
        SortKey<Priority>.Text("statement", "statement", p => p.Statement),
        SortKey<Priority>.Number("endorsements", "negotiation.endorsements", p => p.Negotiation.Endorsements),
        SortKey<Priority>.Number("objections", "negotiation.objectionsRaised", p => p.Negotiation.ObjectionsRaised),
    ];

    /// <summary>
    /// Priorities by status, by the stakeholder group that set them, by round, by service (of the redesigns and
    /// feedback they cite), by when they were set (<c>from</c> ≤ setAt &lt; <c>to</c>) and by their words
    /// (<c>q</c>, as a web search: words, "a phrase", -not, or); oldest first unless <c>sort</c> says otherwise.
    /// </summary>
    [WolverineGet("/api/priorities", OperationId = "listPriorities"), Tags(PrioritiesModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static Task<IReadOnlyList<Priority>> Get(
        string? status, string? setByGroup, Guid? roundId, string? service, DateTimeOffset? from, DateTimeOffset? to, string? q, string? sort,
        int? limit, string? after, HttpContext http, IQuerySession session, CancellationToken ct) =>
        Listing.PageAsync(http, Filter(session, new PriorityFilter(status, setByGroup, roundId, service, from, to, q)),
            Listing.Sort(sort, false, Sorts(session.DocumentStore.Options.DatabaseSchemaName)), limit, after, p => p.Id, ct);

    /// <summary>The same list, with the same filters and order, as CSV: every priority that matches, with its negotiation's counts.</summary>
    [WolverineGet("/api/priorities.csv", OperationId = "listPrioritiesCsv"), Tags(PrioritiesModule.Tag)]
    [Produces(Csv.MediaType)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static IResult GetCsv(
        string? status, string? setByGroup, Guid? roundId, string? service, DateTimeOffset? from, DateTimeOffset? to, string? q, string? sort,
        IQuerySession session, CancellationToken ct)
    {
        var query = Filter(session, new PriorityFilter(status, setByGroup, roundId, service, from, to, q));
        var sorting = Listing.Sort(sort, false, Sorts(session.DocumentStore.Options.DatabaseSchemaName));
        return Csv.Stream(
            ["id", "statement", "status", "setBy", "setByGroup", "setAt", "roundId", "endorsements", "objections", "amendments", "wordings", "decision", "version"],
            Rows(Listing.AllAsync(query, sorting, p => p.Id, ct)), "priorities.csv");

        static async IAsyncEnumerable<object?[]> Rows(IAsyncEnumerable<Priority> priorities)
        {
            await foreach (var p in priorities)
            {
                yield return
                [
                    p.Id, p.Statement, p.Status, p.SetBy, p.SetByGroup, p.SetAt, p.RoundId, p.Negotiation.Endorsements, p.Negotiation.ObjectionsRaised,
                    p.Negotiation.Amendments.Count, p.Negotiation.Wordings.Count, p.Decision?.Outcome, p.Version,
                ];
            }
        }
    }

    /// <summary>The query every filter given narrows; unknown values are refused before anything is read.</summary>
    public static IQueryable<Priority> Filter(IQuerySession session, PriorityFilter filter)
    {
        var query = session.Query<Priority>().AsQueryable();
        if (filter.Status is not null)
        {
            var status = WireValues<PriorityStatus>.Parse(filter.Status, "status");
            query = query.Where(p => p.Status == status);
        }

        if (filter.SetByGroup is not null)
        {
            var group = WireValues<StakeholderGroup>.Parse(filter.SetByGroup, "setByGroup");
            query = query.Where(p => p.SetByGroup == group);
        }

        if (filter.RoundId is { } round)
        {
            query = query.Where(p => p.RoundId == round);
        }

        query = Listing.Within(query, p => p.SetAt, filter.From, filter.To);

        if (!string.IsNullOrWhiteSpace(filter.Service))
        {
            var schema = session.DocumentStore.Options.Schema;
            string Cites(string list, string table) =>
                $"exists (select 1 from jsonb_array_elements_text(d.data -> '{list}') cited(id) join {table} s on s.id = cited.id::uuid " +
                "where s.tenant_id = d.tenant_id and s.data ->> 'service' = ?)";
            var cites = $"({Cites("redesigns", schema.For<ServiceRedesign>())} or {Cites("feedback", schema.For<PatientFeedback>())})";
            query = query.Where(p => p.MatchesSql(cites, filter.Service, filter.Service));
        }

        if (!string.IsNullOrWhiteSpace(filter.Q))
        {
            // The matching ids are found first, from the words' index, once: left to itself the planner may walk the
            // order's index instead and work out every priority's words until a page is full.
            var matches = $"d.id = any(array(select s.id from {session.DocumentStore.Options.Schema.For<Priority>()} s where s.tenant_id = ? and {PrioritiesModule.Words.Matches("s")}))";
            query = query.Where(p => p.MatchesSql(matches, session.TenantId, filter.Q));
        }

        return query;
    }

    [WolverineGet("/api/participants/{id}/priorities", OperationId = "listPrioritiesSetByParticipant"), Tags(PrioritiesModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IReadOnlyList<Priority>> GetByParticipant(Guid id, int? limit, string? after, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var page = Paging.Read(limit, after);
        _ = await session.LoadAsync<Participant>(id, ct) ?? throw Rejected.NotFound($"No participant {id} is registered.");
        var query = session.Query<Priority>().Where(p => p.SetBy == id);
        return Paging.Finish(http, await Paging.Apply(query, page, p => p.SetAt, p => p.Id).ToListAsync(ct), page, p => p.SetAt);
    }
}
