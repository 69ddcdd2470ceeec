using LearningSystem.Participants;
using LearningSystem.Priorities;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Rounds.Rescoring;

public sealed record RescoredPriority(int Position, Guid Priority, string Statement, int Score, int Points, int? OriginalPosition);

/// <summary>A round's interim scores under another rule, beside the order the stored rule gives; nothing stored changes.</summary>
public sealed record RescoringView(
    Guid Round, string Rule, DateTimeOffset? AsOf, int Respondents, IReadOnlyList<GroupScores> Groups, IReadOnlyList<RescoredPriority> Order,
    IReadOnlyList<SetAsidePriority> SetAside);

/// <summary>What-if rescoring: which rankings count, and how.</summary>
public sealed record RescoringRule(bool Unweighted, StakeholderGroup? OnlyGroup, StakeholderGroup? WithoutGroup, DateTimeOffset? AsOf)
{
    public string Describe()
    {
        var parts = new List<string> { Unweighted ? "unweighted: every respondent's points count alike, whatever their group" : "JLA: points per group, position scores summed so each group weighs the same" };
        if (OnlyGroup is { } only)
        {
            parts.Add($"only the {WireValues<StakeholderGroup>.Name(only)} group's rankings");
        }

        if (WithoutGroup is { } without)
        {
            parts.Add($"without the {WireValues<StakeholderGroup>.Name(without)} group's rankings");
        }

        if (AsOf is { } at)
        {
            parts.Add($"the round as it stood at {at:O}");
        }

        return string.Join("; ", parts);
    }
}

public static class RescoreRoundEndpoint
{
    /// <summary>Pure: the round's interim rankings scored under <paramref name="rule"/>, compared with <paramref name="original"/>.</summary>
    public static RescoringView Rescore(
        Round round, RoundStanding standing, IReadOnlyList<InterimRanking> all, RescoringRule rule, IReadOnlyList<Guid> original, IReadOnlyDictionary<Guid, string> statements)
    {
        var rankings = all
            .Where(r => rule.OnlyGroup is not { } only || r.Group == only)
            .Where(r => rule.WithoutGroup is not { } without || r.Group != without)
            .ToArray();
        // Unweighted: all respondents as one group, so each counts the same.
        var live = standing.Live(round.Priorities);
        var scored = rule.Unweighted
            ? Scoring.ScoreInterim(live, rankings.Select(r => r with { Group = StakeholderGroup.Other }))
            : Scoring.ScoreInterim(live, rankings);
        var order = scored.Combined
            .Select((c, i) => new RescoredPriority(
                i + 1, c.Priority, statements.GetValueOrDefault(c.Priority, ""), c.Score, c.Points,
                original.ToList().IndexOf(c.Priority) is var at and >= 0 ? at + 1 : null))
            .ToArray();
        return new RescoringView(round.Id, rule.Describe(), rule.AsOf, rankings.Length, rule.Unweighted ? [] : scored.Groups, order, standing.SetAside);
    }

    /// <summary>
    /// Re-scores the interim rankings: <c>rule=jla</c> (default) or <c>unweighted</c>; <c>onlyGroup</c> or
    /// <c>withoutGroup</c> to keep or drop one group's rankings; <c>asOf</c> for the round as it stood then.
    /// </summary>
    [WolverineGet("/api/rounds/{id}/rescoring", OperationId = "rescoreRound"), Tags(RoundsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<RescoringView?> Get(
        Guid id, string? rule, string? onlyGroup, string? withoutGroup, DateTimeOffset? asOf, IQuerySession session, CancellationToken ct)
    {
        var unweighted = rule switch
        {
            null or "jla" => false,
            "unweighted" => true,
            _ => throw Rejected.Invalid($"'{rule}' is not a rule: use jla or unweighted.", "rule"),
        };
        var chosen = new RescoringRule(
            unweighted,
            onlyGroup is null ? null : WireValues<StakeholderGroup>.Parse(onlyGroup, "onlyGroup"),
            withoutGroup is null ? null : WireValues<StakeholderGroup>.Parse(withoutGroup, "withoutGroup"),
            asOf);
        var current = await session.LoadAsync<Round>(id, ct);
        var round = asOf is { } at ? await session.Events.AggregateStreamAsync<Round>(id, timestamp: at, token: ct) : current;
        if (current is null || round is null)
        {
            return null;
        }

        var now = await RoundStanding.LoadAsync(session, current.Priorities, null, ct);
        var then = asOf is null ? now : await RoundStanding.LoadAsync(session, round.Priorities, asOf, ct);
        var rankingsNow = await Ranking.Ballots.CurrentAsync(session, id, ct);
        var rankingsThen = asOf is null ? rankingsNow : await Ranking.Ballots.AsItStoodAsync(session, round, ct);
        var original = current.ScoreInterim(now, rankingsNow).Combined.Select(c => c.Priority).ToArray();
        var statements = (await session.LoadManyAsync<Priority>(ct, round.Priorities)).ToDictionary(p => p.Id, p => p.Statement);
        return Rescore(round, then, rankingsThen, chosen, original, statements);
    }
}
