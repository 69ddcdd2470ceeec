using FluentValidation;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Rounds.Ranking;

/// <summary>One small group's full order of the shortlist, best first, in one workshop session.</summary>
public sealed record RecordWorkshopRanking(Guid? By, int? Session, string? SmallGroup, IReadOnlyList<Guid>? Ranking) : IActedBy
{
    Guid? IActedBy.ActingParticipant => By;
}

public sealed class RecordWorkshopRankingValidator : AbstractValidator<RecordWorkshopRanking>
{
    public RecordWorkshopRankingValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Session).NotNull().InclusiveBetween(1, 10);
        RuleFor(x => x.SmallGroup).NotEmpty().MaximumLength(100);
        RuleFor(x => x.Ranking).NotEmpty().Must(r => r!.Distinct().Count() == r!.Count).WithMessage("Rank each priority once.");
    }
}

public static class RecordWorkshopRankingEndpoint
{
    public static WorkshopRankingRecorded Decide(Round round, RoundStanding standing, RecordWorkshopRanking command, Actor actor, DateTimeOffset now)
    {
        round.EnsureStage(RoundStage.Shortlisted, "recording workshop rankings");
        var ranking = command.Ranking!;
        if (ranking.Count != round.Shortlist.Count || ranking.Except(round.Shortlist).Any())
        {
            throw Rejected.Invalid("A workshop ranking orders every shortlisted priority, and only those.", "ranking");
        }

        standing.EnsureLive(ranking, "A workshop ranking cannot name priorities that left the round; agree the shortlist again");
        var smallGroup = command.SmallGroup!.Trim();
        var correction = round.WorkshopRankings.Any(r => r.Session == command.Session && r.SmallGroup == smallGroup);
        return new WorkshopRankingRecorded(round.Id, command.Session!.Value, smallGroup, ranking, correction, actor.Id, actor.Group, now);
    }

    [WolverinePost("/api/rounds/{id}/workshop-rankings", OperationId = "recordWorkshopRanking"), Tags(RoundsModule.Tag)]
    public static async Task<Accepted> Post(Guid id, RecordWorkshopRanking command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var act = await RoundActs.BeginAsync(id, command.By!.Value, session, clock, ct);
        var standing = await RoundStanding.LoadAsync(session, act.State.Shortlist, null, ct);
        return RoundActs.Append(act, Decide(act.State, standing, command, act.Actor, act.Now));
    }
}
