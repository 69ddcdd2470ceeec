using LearningSystem.Negotiating;
using LearningSystem.Negotiating.Objecting;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.Rounds.Reading;

public sealed record GroupBalance(
    StakeholderGroup Group, int PrioritiesSet, int AmendmentsProposed, int AmendmentsAccepted,
    int ObjectionsRaised, int ObjectionsAnswered, int InterimRespondents, double? InterimToFinalRho, string? InterimToFinalRhoReason);

/// <summary>How many of one group's amendments another group accepted: the hierarchy the paper warns about.</summary>
public sealed record Acceptance(StakeholderGroup Proposer, StakeholderGroup AcceptedBy, int Count);

public sealed record RoundBalanceView(Guid Id, IReadOnlyList<GroupBalance> Groups, IReadOnlyList<Acceptance> AmendmentAcceptances);

public static class RoundBalanceEndpoint
{
    public static RoundBalanceView Compose(
        Round round, RoundStanding standing, IReadOnlyList<InterimRanking> rankings, IReadOnlyList<Priority> priorities, IReadOnlyList<Objection> objections)
    {
        var interim = round.ScoreInterim(standing, rankings);
        var amendments = priorities.SelectMany(p => p.Negotiation.Amendments).ToArray();
        var groups = round.InvitedGroups
            .Concat(priorities.Select(p => p.SetByGroup))
            .Concat(amendments.Select(a => a.ByGroup))
            .Concat(objections.Select(o => o.ByGroup))
            .Distinct()
            .Order();

        var balance = groups.Select(g =>
        {
            var scores = interim.Groups.SingleOrDefault(s => s.Group == g);
            var rho = Scoring.InterimToFinal(scores, round.Published);
            return new GroupBalance(
                g,
                priorities.Count(p => p.SetByGroup == g),
                amendments.Count(a => a.ByGroup == g),
                amendments.Count(a => a.ByGroup == g && a.Status == AmendmentStatus.Accepted),
                objections.Count(o => o.ByGroup == g),
                objections.Count(o => o.ByGroup == g && o.Answered),
                scores?.Respondents ?? 0,
                rho.Rho,
                rho.Reason);
        }).ToArray();

        var acceptances = amendments
            .Where(a => a.Status == AmendmentStatus.Accepted && a.DecidedByGroup is not null)
            .GroupBy(a => (a.ByGroup, a.DecidedByGroup!.Value))
            .OrderBy(g => g.Key.ByGroup).ThenBy(g => g.Key.Value)
            .Select(g => new Acceptance(g.Key.ByGroup, g.Key.Value, g.Count()))
            .ToArray();
        return new RoundBalanceView(round.Id, balance, acceptances);
    }

    [WolverineGet("/api/rounds/{id}/balance", OperationId = "getRoundBalance"), Tags(RoundsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<RoundBalanceView?> Get(Guid id, IQuerySession session, CancellationToken ct)
    {
        var round = await session.LoadAsync<Round>(id, ct);
        return round is null ? null : await ComposeAsync(round, session, ct);
    }

    public static async Task<RoundBalanceView> ComposeAsync(Round round, IQuerySession session, CancellationToken ct) =>
        Compose(
            round, await RoundStanding.LoadAsync(session, round.Priorities, null, ct), await Ranking.Ballots.CurrentAsync(session, round.Id, ct),
            await session.LoadManyAsync<Priority>(ct, round.Priorities), await Objections.OnAsync(session, round.Priorities, ct));
}
