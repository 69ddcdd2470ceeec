using FluentValidation;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Rounds.Ranking;

/// <summary>Up to ten of the round's priorities, best first.</summary>
public sealed record SubmitInterimRanking(Guid? By, IReadOnlyList<Guid>? Ranking) : IActedBy
{
    Guid? IActedBy.ActingParticipant => By;
}

public sealed class SubmitInterimRankingValidator : AbstractValidator<SubmitInterimRanking>
{
    public SubmitInterimRankingValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Ranking).NotEmpty()
            .Must(r => r!.Count <= Scoring.MaxRanked).WithMessage($"Rank at most {Scoring.MaxRanked} priorities.")
            .Must(r => r!.Distinct().Count() == r!.Count).WithMessage("Rank each priority once.");
    }
}

public static class SubmitInterimRankingEndpoint
{
    /// <summary><paramref name="earlier"/> is the respondent's ranking in this round, if they ranked before: this one corrects it.</summary>
    public static InterimRankingSubmitted Decide(Round round, RoundStanding standing, InterimBallot? earlier, SubmitInterimRanking command, Actor actor, DateTimeOffset now)
    {
        round.EnsureStage(RoundStage.Open, "interim ranking");
        if (!round.InvitedGroups.Contains(actor.Group))
        {
            throw Rejected.Conflict($"The {actor.Group} group is not invited to rank in this round.");
        }

        if (command.Ranking!.Except(round.Priorities).ToArray() is { Length: > 0 } outside)
        {
            throw Rejected.NotFound($"Priority {string.Join(", ", outside)} is not in this round.", "ranking");
        }

        standing.EnsureLive(command.Ranking!, "An interim ranking cannot name priorities that left the round");
        return new InterimRankingSubmitted(round.Id, actor.Id, actor.Group, command.Ranking!, earlier is not null, now);
    }

    [WolverinePost("/api/rounds/{id}/interim-rankings", OperationId = "submitInterimRanking"), Tags(RoundsModule.Tag)]
    public static async Task<Accepted> Post(Guid id, SubmitInterimRanking command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var act = await RoundActs.BeginQueuedAsync(id, command.By!.Value, session, clock, ct);
        var standing = await RoundStanding.LoadAsync(session, act.State.Priorities.Intersect(command.Ranking!).ToArray(), null, ct);
        // Read under the round's lock, so a respondent's two rankings at once are a ranking and its correction.
        var earlier = await session.LoadAsync<InterimBallot>(InterimBallot.IdFor(id, act.Actor.Id), ct);
        return RoundActs.Append(act, Decide(act.State, standing, earlier, command, act.Actor, act.Now));
    }
}
