using JasperFx.Events.Projections;
using Marten;
using LearningSystem.Storage;

namespace LearningSystem.Rounds;

public static class RoundsModule
{
    public static StoreOptions AddRounds(this StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(RoundOpened), typeof(PrioritySubmitted), typeof(InterimRankingSubmitted),
            typeof(ShortlistAgreed), typeof(WorkshopRankingRecorded), typeof(RoundPublished),
        ]);
        options.Projections.Snapshot<Round>(SnapshotLifecycle.Inline, EventStore.RebuildInBulk);
        options.Projections.Add<Ranking.BallotBox>(ProjectionLifecycle.Inline, EventStore.RebuildInBulk);
        options.Schema.For<Ranking.InterimBallot>().Index([b => b.RoundId, b => b.Version]);
        return options;
    }
}
