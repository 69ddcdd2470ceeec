using LearningSystem.Participants;
using LearningSystem.Priorities;
using Marten;

namespace LearningSystem.Rounds.Submitting;

/// <summary>A priority set with a <c>roundId</c> (or counter-proposed to one in a round) joins that round.</summary>
public static class SubmitPriority
{
    public static PrioritySubmitted Decide(Round round, Guid priorityId, Actor actor, DateTimeOffset now)
    {
        round.EnsureStage(RoundStage.Open, "submitting priorities");
        return new PrioritySubmitted(round.Id, priorityId, actor.Id, actor.Group, now);
    }

    public static async Task IntoRoundAsync(IDocumentSession session, Guid roundId, Guid priorityId, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Round>(roundId, ct);
        var round = stream.Aggregate ?? throw Rejected.NotFound($"No round {roundId} is open.", "roundId");
        stream.AppendOne(Decide(round, priorityId, actor, now));
    }
}
