using LearningSystem.Participants;
using LearningSystem.Priorities;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Rounds.Reading;

/// <summary>A priority both rounds published: its position in each, and how far it moved (positive: up in the second).</summary>
public sealed record RankMoved(string Statement, Guid FirstPriority, int FirstPosition, Guid SecondPriority, int SecondPosition, int Moved);

/// <summary>A group's weight in each round: its share of the interim respondents, and the difference (second less first).</summary>
public sealed record GroupWeight(StakeholderGroup Group, int FirstRespondents, double FirstShare, int SecondRespondents, double SecondShare, double Difference);

public sealed record RoundsCompared(
    Guid First, string FirstQuestion, Guid Second, string SecondQuestion,
    IReadOnlyList<RankMoved> BothPublished, IReadOnlyList<PublishedPriority> OnlyFirst, IReadOnlyList<PublishedPriority> OnlySecond,
    IReadOnlyList<GroupWeight> Groups);

public static class CompareRoundsEndpoint
{
    /// <summary>
    /// Two rounds side by side: the priorities both published (the same priority, or the same statement, compared
    /// without case or extra spaces) with their positions, those only one published, and each group's weight.
    /// </summary>
    [WolverineGet("/api/rounds/{id}/comparison", OperationId = "compareRounds"), Tags(RoundsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<RoundsCompared> Get(Guid id, Guid? with, IQuerySession session, CancellationToken ct)
    {
        var other = with ?? throw Rejected.Invalid("with is the id of the round to compare with.", "with");
        var batch = session.CreateBatchQuery();
        var firstLoad = batch.Load<Round>(id);
        var secondLoad = batch.Load<Round>(other);
        await batch.Execute(ct);
        var first = await firstLoad ?? throw Rejected.NotFound($"No round {id} in this organisation.");
        var second = await secondLoad ?? throw Rejected.NotFound($"No round {other} in this organisation.");
        var statements = (await session.LoadManyAsync<Priority>(ct, [.. first.Published.Concat(second.Published).Distinct()])).ToDictionary(p => p.Id, p => p.Statement);
        var firstBalance = await RoundBalanceEndpoint.ComposeAsync(first, session, ct);
        var secondBalance = await RoundBalanceEndpoint.ComposeAsync(second, session, ct);
        return Compare(first, second, statements, firstBalance, secondBalance);
    }

    /// <summary>The comparison itself, pure: rounds, the published priorities' statements and both balances in, the comparison out.</summary>
    public static RoundsCompared Compare(Round first, Round second, IReadOnlyDictionary<Guid, string> statements, RoundBalanceView firstBalance, RoundBalanceView secondBalance)
    {
        static string Key(string statement) => string.Join(' ', statement.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();
        IReadOnlyList<PublishedPriority> Published(Round round) =>
            [.. round.Published.Select((p, i) => new PublishedPriority(i + 1, p, statements.GetValueOrDefault(p, "")))];
        var a = Published(first);
        var b = Published(second);
        var both = new List<RankMoved>();
        var matched = new HashSet<Guid>();
        foreach (var x in a)
        {
            if (b.FirstOrDefault(y => !matched.Contains(y.Priority) && (y.Priority == x.Priority || Key(y.Statement) == Key(x.Statement))) is { } y)
            {
                matched.Add(y.Priority);
                both.Add(new RankMoved(x.Statement, x.Priority, x.Position, y.Priority, y.Position, x.Position - y.Position));
            }
        }

        var firstTotal = firstBalance.Groups.Sum(g => g.InterimRespondents);
        var secondTotal = secondBalance.Groups.Sum(g => g.InterimRespondents);
        static double Share(int part, int total) => total == 0 ? 0 : Math.Round((double)part / total, 4);
        var groups = firstBalance.Groups.Select(g => g.Group).Union(secondBalance.Groups.Select(g => g.Group)).Order()
            .Select(g =>
            {
                var one = firstBalance.Groups.FirstOrDefault(x => x.Group == g)?.InterimRespondents ?? 0;
                var two = secondBalance.Groups.FirstOrDefault(x => x.Group == g)?.InterimRespondents ?? 0;
                return new GroupWeight(g, one, Share(one, firstTotal), two, Share(two, secondTotal), Math.Round(Share(two, secondTotal) - Share(one, firstTotal), 4));
            })
            .ToArray();

        return new RoundsCompared(first.Id, first.Question, second.Id, second.Question, both,
            [.. a.Where(x => !both.Any(m => m.FirstPriority == x.Priority))], [.. b.Where(y => !matched.Contains(y.Priority))], groups);
    }
}
