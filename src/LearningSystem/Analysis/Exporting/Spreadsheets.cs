using System.Globalization;
using LearningSystem.Negotiating;
using LearningSystem.Negotiating.Objecting;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using LearningSystem.Rounds.Reading;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Analysis.Exporting;

/// <summary>The views analysts open in spreadsheets, as CSV (RFC 4180).</summary>
public static class SpreadsheetEndpoints
{
    public const string MediaType = Http.Csv.MediaType;

    /// <summary>Priorities with their negotiation counts, optionally of one round.</summary>
    [WolverineGet("/api/export/priorities.csv", OperationId = "exportPrioritiesCsv"), Tags(AnalysisModule.Tag)]
    [Produces(MediaType)]
    public static async Task<IResult> Priorities(Guid? roundId, IQuerySession session, CancellationToken ct)
    {
        var query = session.Query<Priority>().AsQueryable();
        if (roundId is { } round)
        {
            query = query.Where(p => p.RoundId == round);
        }

        var priorities = await query.OrderBy(p => p.SetAt).ThenBy(p => p.Id).ToListAsync(ct);
        var open = (await Objections.OpenOnAsync(session, [.. priorities.Select(p => p.Id)], ct)).CountBy(p => p).ToDictionary();
        var rows = priorities.Select(p => new object?[]
        {
            p.Id, p.Statement, WireValues<PriorityStatus>.Name(p.Status), WireValues<StakeholderGroup>.Name(p.SetByGroup), p.SetAt, p.RoundId,
            p.Negotiation.Endorsements, p.Negotiation.ObjectionsRaised, open.GetValueOrDefault(p.Id),
            p.Negotiation.Amendments.Count, p.Negotiation.Amendments.Count(a => a.Status == AmendmentStatus.Accepted),
            p.Negotiation.Wordings.Count, p.CounterProposals.Count, p.MergedFrom.Count,
            p.Decision is { } d ? WireValues<DecisionOutcome>.Name(d.Outcome) : null, p.Version,
        });
        return Csv(["id", "statement", "status", "setByGroup", "setAt", "roundId", "endorsements", "objections", "openObjections",
            "amendments", "acceptedAmendments", "wordings", "counterProposals", "mergedFrom", "decision", "version"], rows);
    }

    /// <summary>A round's combined interim order with each group's position score, and the published position.</summary>
    [WolverineGet("/api/rounds/{id}/results.csv", OperationId = "exportRoundResultsCsv"), Tags(AnalysisModule.Tag)]
    [Produces(MediaType)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> RoundResults(Guid id, IQuerySession session, CancellationToken ct)
    {
        if (await session.LoadAsync<Round>(id, ct) is not { } round)
        {
            return Results.NotFound();
        }

        var statements = (await session.LoadManyAsync<Priority>(ct, round.Priorities)).ToDictionary(p => p.Id, p => p.Statement);
        var view = RoundResultsEndpoint.Compose(
            round, await RoundStanding.LoadAsync(session, round.Priorities, null, ct), await Rounds.Ranking.Ballots.CurrentAsync(session, id, ct), statements);
        var groups = view.Interim.Groups.Select(g => g.Group).ToArray();
        var rows = view.Interim.Combined.Select((c, i) => new object?[]
            {
                i + 1, c.Priority, statements.GetValueOrDefault(c.Priority, ""), c.Score, c.Points,
                round.Published.ToList().IndexOf(c.Priority) is var at and >= 0 ? at + 1 : null,
            }
            .Concat(groups.Select(g => (object?)view.Interim.Groups.Single(x => x.Group == g).Scores.Single(s => s.Priority == c.Priority).PositionScore))
            .ToArray());
        return Csv(["interimPosition", "priority", "statement", "combinedScore", "points", "publishedPosition",
            .. groups.Select(g => $"{WireValues<StakeholderGroup>.Name(g)}PositionScore")], rows);
    }

    /// <summary>The balance of voices in a round, one row per stakeholder group.</summary>
    [WolverineGet("/api/rounds/{id}/balance.csv", OperationId = "exportRoundBalanceCsv"), Tags(AnalysisModule.Tag)]
    [Produces(MediaType)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> RoundBalance(Guid id, IQuerySession session, CancellationToken ct)
    {
        if (await session.LoadAsync<Round>(id, ct) is not { } round)
        {
            return Results.NotFound();
        }

        var view = await RoundBalanceEndpoint.ComposeAsync(round, session, ct);
        return Csv(["group", "prioritiesSet", "amendmentsProposed", "amendmentsAccepted", "objectionsRaised", "objectionsAnswered", "interimRespondents", "interimToFinalRho", "interimToFinalRhoReason"],
            view.Groups.Select(g => new object?[]
            {
                WireValues<StakeholderGroup>.Name(g.Group), g.PrioritiesSet, g.AmendmentsProposed, g.AmendmentsAccepted, g.ObjectionsRaised,
                g.ObjectionsAnswered, g.InterimRespondents, g.InterimToFinalRho, g.InterimToFinalRhoReason,
            }));
    }

    private static IResult Csv(IReadOnlyList<string> header, IEnumerable<object?[]> rows) => Http.Csv.Text(header, rows);
}
