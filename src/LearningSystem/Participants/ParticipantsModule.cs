using LearningSystem.Http.Describing;
using JasperFx.Events.Projections;
using Marten;
using LearningSystem.Storage;

namespace LearningSystem.Participants;

[ApiTag(Tag, "Patients, carers, clinicians, nurses, students, educators and managers who take part, with their consent.")]
public static class ParticipantsModule
{
    public const string Tag = "Participants";

    public static StoreOptions AddParticipants(this StoreOptions options)
    {
        options.Events.AddEventTypes([typeof(ParticipantRegistered), typeof(ParticipantConsentChanged), typeof(ParticipantErased)]);
        options.Projections.Snapshot<Participant>(SnapshotLifecycle.Inline, EventStore.RebuildInBulk);
        options.Schema.For<Participant>().Index(p => p.StakeholderGroup).Index(p => p.RegisteredAt);
        return options;
    }
}
