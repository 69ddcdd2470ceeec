using LearningSystem.Http.Describing;
using JasperFx.Events.Projections;
using Marten;
using LearningSystem.Storage;

namespace LearningSystem.Rounds;

[ApiTag(Tag, "James Lind Alliance priority-setting rounds: interim rankings, workshops, results and the balance of voices.")]
public static class RoundsModule
{
    public const string Tag = "Rounds";

    public static StoreOptions AddRounds(this StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(RoundOpened), typeof(PrioritySubmitted), typeof(InterimRankingSubmitted),
            typeof(ShortlistAgreed), typeof(WorkshopRankingRecorded), typeof(RoundPublished),
        ]);
        options.Projections.Snapshot<Round>(SnapshotLifecycle.Inline, EventStore.RebuildInBulk);
        options.Projections.Add<Ranking.BallotBox>(ProjectionLifecycle.Inline, EventStore.RebuildInBulk);
        options.Schema.For<Ranking.InterimBallot>().Index([b => b.RoundId, b => b.Version]);
        options.Schema.For<Round>().Index(r => r.OpenedAt).Index(r => r.Stage);
        return options;
    }
}
