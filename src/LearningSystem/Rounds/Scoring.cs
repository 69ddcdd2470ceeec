using LearningSystem.Participants;

namespace LearningSystem.Rounds;

public sealed record PriorityScore(Guid Priority, int Points, int Position, int PositionScore);

public sealed record GroupScores(StakeholderGroup Group, int Respondents, IReadOnlyList<PriorityScore> Scores);

public sealed record CombinedScore(Guid Priority, int Score, int Points);

public sealed record InterimResult(IReadOnlyList<GroupScores> Groups, IReadOnlyList<CombinedScore> Combined);

public sealed record WorkshopScore(Guid Priority, int SummedRank);

/// <summary>A correlation, or why there is none.</summary>
public sealed record Correlation(double? Rho, string? Reason);

/// <summary>
/// The James Lind Alliance scoring, as pure functions of the rankings. Interim: a priority ranked r-th earns
/// 11 − r points; points are totalled per stakeholder group; within each group the priorities are re-ranked
/// and given position scores (the top gets as many as there are priorities that count in the round); the
/// position scores are summed across groups, so each group weighs the same whatever its number of
/// respondents. A ranked priority outside <c>priorities</c> (one that left the round) earns nothing, and the
/// others keep the points of the places they were given. Workshop: the lowest summed rank wins.
/// </summary>
public static class Scoring
{
    public const int MaxRanked = 10;

    public static InterimResult ScoreInterim(IReadOnlyList<Guid> priorities, IEnumerable<InterimRanking> rankings)
    {
        var groups = rankings
            .GroupBy(r => r.Group)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var points = priorities.ToDictionary(p => p, _ => 0);
                foreach (var ranking in g)
                {
                    for (var i = 0; i < ranking.Ranking.Count && i < MaxRanked; i++)
                    {
                        if (points.ContainsKey(ranking.Ranking[i]))
                        {
                            points[ranking.Ranking[i]] += MaxRanked + 1 - (i + 1);
                        }
                    }
                }

                var scores = points
                    .Select(p => (Priority: p.Key, Points: p.Value))
                    .OrderByDescending(p => p.Points).ThenBy(p => p.Priority)
                    .Select(p =>
                    {
                        // Competition ranking: tied totals share the better position.
                        var position = p.Points == 0 ? 0 : 1 + points.Values.Count(v => v > p.Points);
                        return new PriorityScore(p.Priority, p.Points, position, position == 0 ? 0 : priorities.Count - position + 1);
                    })
                    .ToArray();
                return new GroupScores(g.Key, g.Count(), scores);
            })
            .ToArray();

        var combined = priorities
            .Select(p => new CombinedScore(
                p,
                groups.Sum(g => g.Scores.Single(s => s.Priority == p).PositionScore),
                groups.Sum(g => g.Scores.Single(s => s.Priority == p).Points)))
            .OrderByDescending(c => c.Score).ThenByDescending(c => c.Points).ThenBy(c => c.Priority)
            .ToArray();
        return new InterimResult(groups, combined);
    }

    /// <summary>One workshop session: ranks summed across small groups; lowest first, ties by the interim order.</summary>
    public static IReadOnlyList<WorkshopScore> ScoreWorkshop(IEnumerable<WorkshopRanking> session, IReadOnlyList<Guid> interimOrder)
    {
        var sums = new Dictionary<Guid, int>();
        foreach (var ranking in session)
        {
            for (var i = 0; i < ranking.Ranking.Count; i++)
            {
                sums[ranking.Ranking[i]] = sums.GetValueOrDefault(ranking.Ranking[i]) + i + 1;
            }
        }

        return sums
            .OrderBy(s => s.Value).ThenBy(s => IndexIn(interimOrder, s.Key)).ThenBy(s => s.Key)
            .Select(s => new WorkshopScore(s.Key, s.Value))
            .ToArray();
    }

    /// <summary>
    /// Spearman's rho between a group's interim points and the published order, over the published priorities.
    /// Tied points (a priority the group never ranked earns 0) share the average of the ranks they span, so the
    /// answer never depends on ids. Undefined, with the reason, when the group ranked fewer than two of them.
    /// </summary>
    public static Correlation InterimToFinal(GroupScores? group, IReadOnlyList<Guid> published)
    {
        if (published.Count == 0)
        {
            return new Correlation(null, "The round is not published yet.");
        }

        if (group is null)
        {
            return new Correlation(null, "No one from this group ranked in the interim survey.");
        }

        var points = published.Select(p => group.Scores.FirstOrDefault(s => s.Priority == p)?.Points ?? 0).ToArray();
        if (points.Count(p => p > 0) < 2)
        {
            return new Correlation(null, "The group ranked fewer than two of the published priorities.");
        }

        // Most points ranks first; the published list is in position order already.
        var rho = Spearman(points.Select(p => (double)-p).ToArray(), published.Select((_, i) => (double)i).ToArray());
        return rho is null
            ? new Correlation(null, "The group gave every published priority the same points.")
            : new Correlation(rho, null);
    }

    /// <summary>Spearman's rho of two samples: the Pearson correlation of their ranks, ties averaged; null when either has no spread.</summary>
    public static double? Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var (rx, ry) = (AverageRanks(x), AverageRanks(y));
        var (mx, my) = (rx.Average(), ry.Average());
        var covariance = rx.Zip(ry, (a, b) => (a - mx) * (b - my)).Sum();
        var spread = Math.Sqrt(rx.Sum(a => (a - mx) * (a - mx)) * ry.Sum(b => (b - my) * (b - my)));
        return spread == 0 ? null : Math.Round(covariance / spread, 4);
    }

    /// <summary>1-based ranks, smallest value first; equal values share the average of the ranks they span.</summary>
    public static double[] AverageRanks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
            {
                end++;
            }

            for (var k = start; k <= end; k++)
            {
                ranks[order[k]] = (start + end) / 2.0 + 1;
            }

            start = end + 1;
        }

        return ranks;
    }

    private static int IndexIn(IReadOnlyList<Guid> order, Guid priority)
    {
        var index = order.ToList().IndexOf(priority);
        return index < 0 ? int.MaxValue : index;
    }
}
