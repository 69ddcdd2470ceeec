using JasperFx.Events.Projections;
using Marten;
using LearningSystem.Storage;

namespace LearningSystem.Participants;

public static class ParticipantsModule
{
    public static StoreOptions AddParticipants(this StoreOptions options)
    {
        options.Events.AddEventTypes([typeof(ParticipantRegistered), typeof(ParticipantConsentChanged), typeof(ParticipantErased)]);
        options.Projections.Snapshot<Participant>(SnapshotLifecycle.Inline, EventStore.RebuildInBulk);
        return options;
    }
}
