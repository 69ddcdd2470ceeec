using LearningSystem.History;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using LearningSystem.Rounds.Reading;
using LearningSystem.Rounds.Rescoring;
using Marten;
using LearningSystem.Http;

namespace LearningSystem.Explorer;

public sealed record RoundModel(
    Round Round, RoundResultsView Results, long Version, string? ActAtVersion, IReadOnlyDictionary<Guid, string> Statements, RoundBalanceView Balance,
    IReadOnlyList<RescoringView>? WhatIf, string? Only, string? Without);

public partial class RoundPage : IPage<RoundModel>
{
    public static async Task<RoundModel?> LoadAsync(IQuerySession session, Viewer viewer, Guid id, long? version, string? only, string? without, CancellationToken ct)
    {
        if (await session.LoadAsync<Round>(id, ct) is not { } round)
        {
            return null;
        }

        var shown = Math.Clamp(version ?? round.Version, 1, round.Version);
        var results = (await RoundResultsEndpoint.Get(id, null, shown == round.Version ? null : shown, session, ct))!;
        var act = await session.Events.QueryAllRawEvents().Where(e => e.StreamId == id && e.Version == shown).FirstOrDefaultAsync(ct);
        var statements = (await session.LoadManyAsync<Priority>(ct, round.Priorities)).ToDictionary(p => p.Id, p => p.Negotiation.Wording);
        var balance = await RoundBalanceEndpoint.ComposeAsync(round, session, ct);

        List<RescoringView>? whatIf = null;
        if (viewer.May(Access.Scopes.AnalyticsRead))
        {
            whatIf = [(await RescoreRoundEndpoint.Get(id, "jla", null, null, null, session, ct))!, (await RescoreRoundEndpoint.Get(id, "unweighted", null, null, null, session, ct))!];
            only = Known(only);
            without = Known(without);
            if (only is not null || without is not null)
            {
                whatIf.Add((await RescoreRoundEndpoint.Get(id, "jla", only, without, null, session, ct))!);
            }
        }

        return new RoundModel(round, results, shown, act is null ? null : Acts.Describe(act.Data)?.Move ?? act.EventTypeName, statements, balance, whatIf, only, without);
    }

    private static string? Known(string? group) => group is { Length: > 0 } && WireValues<Participants.StakeholderGroup>.IsDefined(group) ? group : null;
}
