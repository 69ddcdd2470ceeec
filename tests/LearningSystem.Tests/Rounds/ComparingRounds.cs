using LearningSystem.Participants;
using LearningSystem.Rounds;
using LearningSystem.Rounds.Reading;

namespace LearningSystem.Tests.Rounds;

/// <summary>Two rounds compared, as a pure function: given the rounds, their published statements and balances, then the comparison.</summary>
public sealed class ComparingRounds
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static Round Published(string question, params Guid[] published) =>
        new Round(Guid.NewGuid(), question, "Outpatients", [StakeholderGroup.Patient], [], Guid.NewGuid(), At) with { Published = published };

    private static RoundBalanceView Balance(Round round, params (StakeholderGroup Group, int Respondents)[] groups) =>
        new(round.Id, [.. groups.Select(g => new GroupBalance(g.Group, 0, 0, 0, 0, 0, g.Respondents, null, null))], []);

    [Fact]
    public void The_same_priority_or_the_same_statement_is_matched_and_how_far_it_moved_is_given()
    {
        var (waits, letters, parking, phones) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var lettersAgain = Guid.NewGuid();
        var first = Published("2025", waits, letters, parking);
        var second = Published("2026", lettersAgain, waits, phones);
        var statements = new Dictionary<Guid, string>
        {
            [waits] = "Shorter waits", [letters] = "Clearer  letters", [lettersAgain] = "clearer letters", [parking] = "Parking for carers", [phones] = "Results by phone",
        };

        var compared = CompareRoundsEndpoint.Compare(first, second, statements,
            Balance(first, (StakeholderGroup.Patient, 30), (StakeholderGroup.Clinician, 10)),
            Balance(second, (StakeholderGroup.Patient, 10), (StakeholderGroup.Clinician, 30)));

        Assert.Equal(
            [new RankMoved("Shorter waits", waits, 1, waits, 2, -1), new RankMoved("Clearer  letters", letters, 2, lettersAgain, 1, 1)],
            compared.BothPublished);
        Assert.Equal([new PublishedPriority(3, parking, "Parking for carers")], compared.OnlyFirst);
        Assert.Equal([new PublishedPriority(3, phones, "Results by phone")], compared.OnlySecond);
        Assert.Equal(
            [new GroupWeight(StakeholderGroup.Patient, 30, 0.75, 10, 0.25, -0.5), new GroupWeight(StakeholderGroup.Clinician, 10, 0.25, 30, 0.75, 0.5)],
            compared.Groups);
    }

    [Fact]
    public void Rounds_that_published_nothing_and_had_no_respondents_compare_as_empty()
    {
        var first = Published("2025");
        var second = Published("2026");
        var compared = CompareRoundsEndpoint.Compare(first, second, new Dictionary<Guid, string>(), Balance(first, (StakeholderGroup.Patient, 0)), Balance(second));
        Assert.Empty(compared.BothPublished);
        Assert.Equal([new GroupWeight(StakeholderGroup.Patient, 0, 0, 0, 0, 0)], compared.Groups);
    }
}
