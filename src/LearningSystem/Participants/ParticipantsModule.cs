using JasperFx.Events.Projections;
using Marten;

namespace LearningSystem.Participants;

public static class ParticipantsModule
{
    public static StoreOptions AddParticipants(this StoreOptions options)
    {
        options.Projections.Snapshot<Participant>(SnapshotLifecycle.Inline);
        return options;
    }
}
