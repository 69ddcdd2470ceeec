using FluentValidation;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Rounds.Shortlisting;

/// <summary>
/// Closes interim ranking and keeps the <c>size</c> live priorities with the highest combined scores. Agreed
/// again while shortlisted, it replaces a shortlist that a priority has since left.
/// </summary>
public sealed record AgreeShortlist(Guid? By, int? Size) : IActedBy
{
    Guid? IActedBy.ActingParticipant => By;
}

public sealed class AgreeShortlistValidator : AbstractValidator<AgreeShortlist>
{
    public AgreeShortlistValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Size).NotNull().InclusiveBetween(1, 100);
    }
}

public static class AgreeShortlistEndpoint
{
    public static ShortlistAgreed Decide(Round round, RoundStanding standing, IReadOnlyList<InterimRanking> rankings, AgreeShortlist command, Actor actor, DateTimeOffset now)
    {
        round.EnsureStage([RoundStage.Open, RoundStage.Shortlisted], "agreeing a shortlist");
        if (rankings.Count == 0)
        {
            throw Rejected.Conflict("Nobody has ranked yet; a shortlist needs interim rankings.");
        }

        var combined = round.ScoreInterim(standing, rankings).Combined;
        if (combined.Count == 0)
        {
            throw Rejected.Conflict("Every priority of the round has left it (withdrawn, merged or rejected); there is nothing to shortlist.");
        }

        return new ShortlistAgreed(round.Id, combined.Take(command.Size!.Value).Select(c => c.Priority).ToArray(), actor.Id, actor.Group, now);
    }

    [WolverinePost("/api/rounds/{id}/shortlist", OperationId = "agreeShortlist"), Tags(RoundsModule.Tag)]
    public static async Task<Accepted> Post(Guid id, AgreeShortlist command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var act = await RoundActs.BeginAsync(id, command.By!.Value, session, clock, ct);
        var standing = await RoundStanding.LoadAsync(session, act.State.Priorities, null, ct);
        var rankings = await Ranking.Ballots.CurrentAsync(session, id, ct);
        return RoundActs.Append(act, Decide(act.State, standing, rankings, command, act.Actor, act.Now));
    }
}
