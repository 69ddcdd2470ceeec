using JasperFx.Events;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Attribution;

namespace LearningSystem.History;

/// <summary>One step of a replay: the event, who made it in which group, when and why, and the state after it.</summary>
public sealed record ReplayStep<T>(
    long Sequence, Guid StreamId, long Version, string Type, string? Move, Guid? By, StakeholderGroup? Group, DateTimeOffset At,
    string? Why, string? Wording, string? CorrelationId, T? After);

/// <summary>A round's step: the round's state after it, or what a priority's move changed.</summary>
public sealed record RoundStepState(RoundStage Stage, int Priorities, int InterimRankings, IReadOnlyList<Guid> InterimLeaders, string? Change);

public static class ReplayEndpoints
{
    public const int MaxSteps = 10_000;

    /// <summary>Every event of the priority in order, each with who, group, when and why, and the priority as it stood after it.</summary>
    [WolverineGet("/api/priorities/{id}/replay", OperationId = "replayPriority"), Tags(Analysis.AnalysisModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IReadOnlyList<ReplayStep<Priority>>?> Priority(Guid id, IQuerySession session, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.Count == 0 || events[0].Data is not PrioritySet)
        {
            return null;
        }

        Priority? state = null;
        return events.Take(MaxSteps).Select(e =>
        {
            state = Evolution<Priority>.Evolve(state, e);
            return Step(e, state);
        }).ToArray();
    }

    /// <summary>
    /// Every event of the round and of its priorities, in the order they happened: who, group, when and why,
    /// the round's state after each, and what each priority's move changed.
    /// </summary>
    [WolverineGet("/api/rounds/{id}/replay", OperationId = "replayRound"), Tags(Analysis.AnalysisModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IReadOnlyList<ReplayStep<RoundStepState>>?> Round(Guid id, IQuerySession session, CancellationToken ct)
    {
        var round = await session.LoadAsync<Round>(id, ct);
        if (round is null)
        {
            return null;
        }

        var events = await LearningSystem.Rounds.Reading.GetRoundEndpoint.EventsAsync(round, session, MaxSteps, ct);
        Round? state = null;
        // The priorities' standing as it was at each step, so the top three are those that counted then.
        var setAside = new Dictionary<Guid, SetAsidePriority?>();
        // Each respondent's ranking as it stood at each step.
        var rankings = new Dictionary<Guid, InterimRanking>();
        return events.Select(e =>
        {
            if (e.StreamId == id)
            {
                state = Evolution<Round>.Evolve(state, e);
                if (e.Data is InterimRankingSubmitted ranked)
                {
                    rankings[ranked.By] = new InterimRanking(ranked.By, ranked.ByGroup, ranked.Ranking);
                }
            }
            else
            {
                setAside[e.StreamId] = RoundStanding.Evolve(setAside.GetValueOrDefault(e.StreamId), e.StreamId, e.Data);
            }

            var act = Acts.Describe(e.Data);
            var change = act is null || e.StreamId == id ? null : $"{act.Move}{(act.Wording is null ? "" : $": \"{act.Wording}\"")}";
            var after = state is null ? null : new RoundStepState(
                state.Stage, state.Priorities.Count, state.Respondents,
                state.ScoreInterim(new RoundStanding(setAside.Values.OfType<SetAsidePriority>().ToArray()), rankings.Values.ToArray()).Combined.Take(3).Select(c => c.Priority).ToArray(), change);
            return Step(e, after);
        }).ToArray();
    }

    private static ReplayStep<T> Step<T>(IEvent e, T? after)
    {
        var act = Acts.Describe(e.Data);
        return new ReplayStep<T>(e.Sequence, e.StreamId, e.Version, e.EventTypeName, act?.Move, act?.By ?? WhoActed.ActingParticipant(e), act?.Group,
            e.Timestamp, act?.Reason, act?.Wording, e.CorrelationId, after);
    }
}
