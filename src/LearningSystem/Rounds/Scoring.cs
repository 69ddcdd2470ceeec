using LearningSystem.Participants;

namespace LearningSystem.Rounds;

public sealed record PriorityScore(Guid Priority, int Points, int Position, int PositionScore);

public sealed record GroupScores(StakeholderGroup Group, int Respondents, IReadOnlyList<PriorityScore> Scores);

public sealed record CombinedScore(Guid Priority, int Score, int Points);

public sealed record InterimResult(IReadOnlyList<GroupScores> Groups, IReadOnlyList<CombinedScore> Combined);

public sealed record WorkshopScore(Guid Priority, int SummedRank);

/// <summary>
/// The James Lind Alliance scoring, as pure functions of the rankings. Interim: a priority ranked r-th earns
/// 11 − r points; points are totalled per stakeholder group; within each group the priorities are re-ranked
/// and given position scores (the top gets as many as there are priorities in the round); the position
/// scores are summed across groups, so each group weighs the same whatever its number of respondents.
/// Workshop: the lowest summed rank wins.
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

    /// <summary>Spearman's rho between two orders of the same priorities (Pearson on ranks); null when undefined.</summary>
    public static double? Spearman(IReadOnlyList<Guid> first, IReadOnlyList<Guid> second)
    {
        var common = first.Intersect(second).ToArray();
        if (common.Length < 2)
        {
            return null;
        }

        double[] Ranks(IReadOnlyList<Guid> order) => common.Select(p => (double)order.Where(common.Contains).ToList().IndexOf(p)).ToArray();
        var (x, y) = (Ranks(first), Ranks(second));
        var (mx, my) = (x.Average(), y.Average());
        var covariance = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum();
        var spread = Math.Sqrt(x.Sum(a => (a - mx) * (a - mx)) * y.Sum(b => (b - my) * (b - my)));
        return spread == 0 ? null : Math.Round(covariance / spread, 4);
    }

    private static int IndexIn(IReadOnlyList<Guid> order, Guid priority)
    {
        var index = order.ToList().IndexOf(priority);
        return index < 0 ? int.MaxValue : index;
    }
}
