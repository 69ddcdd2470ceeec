using FluentValidation;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Rounds.Publishing;

public sealed record PublishRound(Guid? By) : IActedBy
{
    Guid? IActedBy.ActingParticipant => By;
}

public sealed class PublishRoundValidator : AbstractValidator<PublishRound>
{
    public PublishRoundValidator() => RuleFor(x => x.By).NotEmpty();
}

public static class PublishRoundEndpoint
{
    /// <summary>The agreed list is the final workshop session's order: lowest summed rank first.</summary>
    public static RoundPublished Decide(Round round, RoundStanding standing, IReadOnlyList<InterimRanking> rankings, Actor actor, DateTimeOffset now)
    {
        round.EnsureStage(RoundStage.Shortlisted, "publishing");
        standing.EnsureLive(round.Shortlist, "The round cannot be published until the shortlist is agreed again, because shortlisted priorities left the round");
        var missing = round.RequiredGroups.Except(rankings.Select(r => r.Group)).ToArray();
        if (missing.Length > 0)
        {
            throw new Rejected(RejectionKind.Conflict,
                $"The round cannot be published: no one from {string.Join(", ", missing.Select(LearningSystem.Http.WireValues<Participants.StakeholderGroup>.Name))} has ranked, and every required group must be represented.")
            {
                Facts = new Dictionary<string, object?> { ["missingGroups"] = missing.Select(LearningSystem.Http.WireValues<Participants.StakeholderGroup>.Name).ToArray() },
            };
        }

        if (round.WorkshopRankings.Count == 0)
        {
            throw Rejected.Conflict("The round cannot be published before the final workshop's rankings are recorded.");
        }

        var interimOrder = round.ScoreInterim(standing, rankings).Combined.Select(c => c.Priority).ToArray();
        var final = round.WorkshopRankings.Max(r => r.Session);
        var ranked = Scoring.ScoreWorkshop(round.WorkshopRankings.Where(r => r.Session == final), interimOrder);
        return new RoundPublished(round.Id, ranked.Select(r => r.Priority).ToArray(), actor.Id, actor.Group, now);
    }

    [WolverinePost("/api/rounds/{id}/publication", OperationId = "publishRound"), Tags(RoundsModule.Tag)]
    public static async Task<Accepted> Post(Guid id, PublishRound command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var act = await RoundActs.BeginAsync(id, command.By!.Value, session, clock, ct);
        var standing = await RoundStanding.LoadAsync(session, act.State.Priorities, null, ct);
        var rankings = await Ranking.Ballots.CurrentAsync(session, id, ct);
        return RoundActs.Append(act, Decide(act.State, standing, rankings, act.Actor, act.Now));
    }
}
