using LearningSystem.Participants;
using LearningSystem.Rounds;

namespace LearningSystem.Tests.Rounds;

/// <summary>The JLA scoring, worked by hand.</summary>
public sealed class ScoringRounds
{
    private static readonly Guid A = Guid.Parse("a0000000-0000-4000-8000-00000000000a");
    private static readonly Guid B = Guid.Parse("a0000000-0000-4000-8000-00000000000b");
    private static readonly Guid C = Guid.Parse("a0000000-0000-4000-8000-00000000000c");
    private static readonly Guid[] Priorities = [A, B, C];

    private static InterimRanking Ranks(StakeholderGroup group, params Guid[] ranking) => new(Guid.NewGuid(), group, ranking);

    [Fact]
    public void Points_are_eleven_minus_rank_totalled_per_group_then_re_ranked_into_position_scores()
    {
        var result = Scoring.ScoreInterim(Priorities,
        [
            Ranks(StakeholderGroup.Patient, A, B),
            Ranks(StakeholderGroup.Patient, A, C),
            Ranks(StakeholderGroup.Patient, B),
            Ranks(StakeholderGroup.Clinician, C, B),
        ]);

        var patients = result.Groups.Single(g => g.Group == StakeholderGroup.Patient);
        Assert.Equal(3, patients.Respondents);
        Assert.Equal([(A, 20, 1, 3), (B, 19, 2, 2), (C, 9, 3, 1)], patients.Scores.Select(s => (s.Priority, s.Points, s.Position, s.PositionScore)));
        var clinicians = result.Groups.Single(g => g.Group == StakeholderGroup.Clinician);
        Assert.Equal([(C, 10, 1, 3), (B, 9, 2, 2), (A, 0, 0, 0)], clinicians.Scores.Select(s => (s.Priority, s.Points, s.Position, s.PositionScore)));
    }

    [Fact]
    public void Each_group_weighs_the_same_whatever_its_number_of_respondents()
    {
        var result = Scoring.ScoreInterim(Priorities,
        [
            Ranks(StakeholderGroup.Patient, A, B),
            Ranks(StakeholderGroup.Patient, A, C),
            Ranks(StakeholderGroup.Patient, B),
            Ranks(StakeholderGroup.Clinician, C, B),
        ]);

        // B and C tie on position scores (4 each); B has more points overall, so it comes first.
        Assert.Equal([(B, 4), (C, 4), (A, 3)], result.Combined.Select(c => (c.Priority, c.Score)));
    }

    [Fact]
    public void Tied_totals_within_a_group_share_the_better_position()
    {
        var carers = Scoring.ScoreInterim(Priorities, [Ranks(StakeholderGroup.Carer, A), Ranks(StakeholderGroup.Carer, B)]).Groups.Single();

        Assert.Equal([(A, 1, 3), (B, 1, 3), (C, 0, 0)], carers.Scores.OrderBy(s => s.Priority).Select(s => (s.Priority, s.Position, s.PositionScore)));
    }

    [Fact]
    public void Only_the_first_ten_of_a_ranking_score()
    {
        var many = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToArray();

        var group = Scoring.ScoreInterim(many, [Ranks(StakeholderGroup.Nurse, many)]).Groups.Single();

        Assert.Equal(10, group.Scores.Single(s => s.Priority == many[0]).Points);
        Assert.Equal(1, group.Scores.Single(s => s.Priority == many[9]).Points);
        Assert.Equal(0, group.Scores.Single(s => s.Priority == many[10]).Points);
    }

    [Fact]
    public void In_the_workshop_the_lowest_summed_rank_wins()
    {
        var scores = Scoring.ScoreWorkshop(
        [
            new WorkshopRanking(1, "g1", [A, B, C]),
            new WorkshopRanking(1, "g2", [B, A, C]),
            new WorkshopRanking(1, "g3", [A, C, B]),
        ], Priorities);

        Assert.Equal([(A, 4), (B, 6), (C, 8)], scores.Select(s => (s.Priority, s.SummedRank)));
    }

    [Fact]
    public void Workshop_ties_fall_back_to_the_interim_order()
    {
        var scores = Scoring.ScoreWorkshop([new WorkshopRanking(1, "g1", [A, B]), new WorkshopRanking(1, "g2", [B, A])], [B, A]);

        Assert.Equal([B, A], scores.Select(s => s.Priority));
    }

    [Fact]
    public void Spearman_rho_measures_how_close_two_orders_are()
    {
        Assert.Equal(1.0, Scoring.Spearman([1, 2, 3], [1, 2, 3]));
        Assert.Equal(-1.0, Scoring.Spearman([1, 2, 3], [3, 2, 1]));
        Assert.Equal(0.5, Scoring.Spearman([1, 2, 3], [2, 1, 3]));
        Assert.Null(Scoring.Spearman([1], [1]));
    }

    [Fact]
    public void Tied_values_share_the_average_of_the_ranks_they_span() =>
        Assert.Equal([2, 1, 3, 4.5, 4.5], Scoring.AverageRanks([-10, -19, -9, 0, 0]));

    [Theory]
    [InlineData("00000000-0000-4000-8000-000000000004", "00000000-0000-4000-8000-000000000005")]
    [InlineData("00000000-0000-4000-8000-000000000005", "00000000-0000-4000-8000-000000000004")]
    public void Rho_for_a_group_that_left_published_priorities_unranked_averages_their_tie_whatever_the_ids(string fourth, string fifth)
    {
        var (p1, p2, p3, p4, p5) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.Parse(fourth), Guid.Parse(fifth));
        // The carers give P1 10 points, P2 10 + 9 = 19 and P3 9, and never rank P4 or P5 (0 each).
        var carers = Scoring.ScoreInterim([p1, p2, p3, p4, p5], [Ranks(StakeholderGroup.Carer, p1, p2), Ranks(StakeholderGroup.Carer, p2, p3)]).Groups.Single();

        // Published P1..P5, so y = 1, 2, 3, 4, 5. Carers' ranks by points: P2 1, P1 2, P3 3, and P4 and P5 share
        // 4 and 5, so 4.5 each: x = 2, 1, 3, 4.5, 4.5. Both means are 3; deviations x: -1, -2, 0, 1.5, 1.5 and
        // y: -2, -1, 0, 1, 2. Covariance 2 + 2 + 0 + 1.5 + 3 = 8.5; spreads 9.5 and 10.
        // rho = 8.5 / sqrt(95) = 0.87208..., so 0.8721. Breaking the tie by id would give 0.9 or 0.8.
        Assert.Equal(new Correlation(0.8721, null), Scoring.InterimToFinal(carers, [p1, p2, p3, p4, p5]));
    }

    [Fact]
    public void Rho_is_null_with_a_reason_when_a_group_ranked_fewer_than_two_published_priorities()
    {
        var (p1, p2, p3) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var carers = Scoring.ScoreInterim([p1, p2, p3], [Ranks(StakeholderGroup.Carer, p1)]).Groups.Single();

        var rho = Scoring.InterimToFinal(carers, [p1, p2, p3]);

        Assert.Null(rho.Rho);
        Assert.Equal("The group ranked fewer than two of the published priorities.", rho.Reason);
        Assert.Null(Scoring.InterimToFinal(carers, []).Rho);
        Assert.NotNull(Scoring.InterimToFinal(null, [p1, p2]).Reason);
    }
}
