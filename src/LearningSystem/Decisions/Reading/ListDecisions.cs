using LearningSystem.Curriculum;
using LearningSystem.Negotiating;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Priorities;
using LearningSystem.ServiceRedesigns;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Decisions.Reading;

/// <summary>A decision in a list: what it decided (its kind, id and wording), how, and when.</summary>
public sealed record DecisionListed(Guid Id, string Kind, Guid ProposalId, string Title, string? Outcome, DateTimeOffset At, long Version);

/// <summary>Every decision, on priorities, service redesigns and curriculum changes alike.</summary>
public static class ListDecisionsEndpoint
{
    /// <summary>The outcomes a decision may have: a priority is agreed or rejected, a change approved or rejected.</summary>
    public static IReadOnlyList<string> Outcomes { get; } =
        [.. WireValues<DecisionOutcome>.Names.Concat(WireValues<ChangeOutcome>.Names).Distinct(StringComparer.Ordinal)];

    public static SortKey<DecisionEntry>[] Sorts(string schema) =>
    [
        SortKey<DecisionEntry>.Date("at", schema, "at", d => d.At),
        SortKey<DecisionEntry>.Text("outcome", "outcome", d => d.Outcome),
    ];

    /// <summary>Decisions by outcome and by when they were made (<c>from</c> ≤ at &lt; <c>to</c>); oldest first unless <c>sort</c> says otherwise.</summary>
    [WolverineGet("/api/decisions", OperationId = "listDecisions"), Tags(DecisionsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task<IReadOnlyList<DecisionListed>> Get(
        string? outcome, DateTimeOffset? from, DateTimeOffset? to, string? sort, int? limit, string? after, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var entries = await Listing.PageAsync(http, Filter(session, outcome, from, to),
            Listing.Sort(sort, false, Sorts(session.DocumentStore.Options.DatabaseSchemaName)), limit, after, d => d.Id, ct);
        return await DescribeAsync(session, entries, ct);
    }

    /// <summary>The same list, with the same filters and order, as CSV.</summary>
    [WolverineGet("/api/decisions.csv", OperationId = "listDecisionsCsv"), Tags(DecisionsModule.Tag)]
    [Produces(Csv.MediaType)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static IResult GetCsv(string? outcome, DateTimeOffset? from, DateTimeOffset? to, string? sort, IQuerySession session, CancellationToken ct)
    {
        var entries = Listing.AllAsync(Filter(session, outcome, from, to),
            Listing.Sort(sort, false, Sorts(session.DocumentStore.Options.DatabaseSchemaName)), d => d.Id, ct);
        return Csv.Stream(["id", "kind", "proposalId", "title", "outcome", "at", "version"], Rows(entries), "decisions.csv");

        async IAsyncEnumerable<object?[]> Rows(IAsyncEnumerable<DecisionEntry> all)
        {
            await foreach (var chunk in all.Chunk(Paging.MaxLimit))
            {
                foreach (var d in await DescribeAsync(session, chunk, ct))
                {
                    yield return [d.Id, d.Kind, d.ProposalId, d.Title, d.Outcome, d.At, d.Version];
                }
            }
        }
    }

    public static IQueryable<DecisionEntry> Filter(IQuerySession session, string? outcome, DateTimeOffset? from, DateTimeOffset? to)
    {
        var query = session.Query<DecisionEntry>().AsQueryable();
        if (outcome is not null)
        {
            if (!Outcomes.Contains(outcome))
            {
                throw Rejected.Invalid($"outcome is one of {string.Join(", ", Outcomes)}.", "outcome");
            }

            query = query.Where(d => d.Outcome == outcome);
        }

        query = Listing.Within(query, d => d.At, from, to);

        return query;
    }

    /// <summary>Each decision with the kind and wording of what it decided, read in one round trip.</summary>
    public static async Task<IReadOnlyList<DecisionListed>> DescribeAsync(IQuerySession session, IReadOnlyList<DecisionEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0)
        {
            return [];
        }

        var ids = entries.Select(d => d.ProposalId).Distinct().ToArray();
        var batch = session.CreateBatchQuery();
        var priorities = batch.LoadMany<Priority>().ById(ids);
        var redesigns = batch.LoadMany<ServiceRedesign>().ById(ids);
        var changes = batch.LoadMany<CurriculumChange>().ById(ids);
        await batch.Execute(ct);
        var about = (await priorities).Select(p => (p.Id, Kind: Moves.Priorities, Title: p.Statement))
            .Concat((await redesigns).Select(r => (r.Id, Kind: Moves.ServiceRedesigns, r.Title)))
            .Concat((await changes).Select(c => (c.Id, Kind: Moves.CurriculumChanges, Title: c.LearningOutcome)))
            .ToDictionary(x => x.Id);
        return [.. entries.Select(d => about.TryGetValue(d.ProposalId, out var a)
            ? new DecisionListed(d.Id, a.Kind, d.ProposalId, a.Title, d.Outcome, d.At, d.Version)
            : new DecisionListed(d.Id, "", d.ProposalId, "", d.Outcome, d.At, d.Version))];
    }
}
