using LearningSystem.Participants;
using LearningSystem.Rounds;

namespace LearningSystem.Tests.Deciders;

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
        Assert.Equal(1.0, Scoring.Spearman([A, B, C], [A, B, C]));
        Assert.Equal(-1.0, Scoring.Spearman([A, B, C], [C, B, A]));
        Assert.Equal(0.5, Scoring.Spearman([A, B, C], [B, A, C]));
        Assert.Null(Scoring.Spearman([A], [A]));
    }
}
