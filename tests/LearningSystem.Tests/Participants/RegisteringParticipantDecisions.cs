using LearningSystem.Participants;
using LearningSystem.PersonalData;
using LearningSystem.Participants.Registering;

namespace LearningSystem.Tests.Participants;

public sealed class RegisteringParticipantDecisions
{
    private static readonly Guid Id = Guid.Parse("0f4b5a0e-1c1d-4a34-9a57-1d2f3a4b5c6d");
    private static readonly DateTimeOffset Now = TestClock.Start;

    [Fact]
    public void When_registering_then_the_participant_is_registered_with_trimmed_text()
    {
        var then = RegisterParticipantEndpoint.Decide(Id, new RegisterParticipant("  Jenny ", "alliedHealthProfessional", " Physiotherapist "), Now);

        Assert.Equal(Id, then.ParticipantId);
        Assert.Equal("Jenny", then.DisplayName);
        Assert.Equal(StakeholderGroup.AlliedHealthProfessional, then.StakeholderGroup);
        Assert.Equal("Physiotherapist", then.OrganisationRole);
        Assert.Equal(Now, then.RegisteredAt);
    }

    [Fact]
    public void When_registering_without_consent_then_consent_is_for_service_improvement()
    {
        var then = RegisterParticipantEndpoint.Decide(Id, new RegisterParticipant("Jenny", "student", null), Now);

        Assert.Equal([ConsentScope.ServiceImprovement], then.Consent);
    }

    [Fact]
    public void When_registering_with_consent_then_each_scope_is_kept_once()
    {
        var then = RegisterParticipantEndpoint.Decide(Id, new RegisterParticipant("Jenny", "student", null, ["research", "research", "publication"]), Now);

        Assert.Equal([ConsentScope.Research, ConsentScope.Publication], then.Consent);
    }

    [Fact]
    public void When_registering_without_a_role_then_the_role_is_absent_not_blank()
    {
        var then = RegisterParticipantEndpoint.Decide(Id, new RegisterParticipant("Jenny", "student", "   "), Now);

        Assert.Null(then.OrganisationRole);
    }

    [Fact]
    public void When_registering_an_unknown_group_then_it_is_rejected()
    {
        var rejected = Assert.Throws<Rejected>(() => RegisterParticipantEndpoint.Decide(Id, new RegisterParticipant("Jenny", "Student", null), Now));

        Assert.Equal(RejectionKind.Invalid, rejected.Kind);
    }

    [Fact]
    public void Given_registration_then_consent_change_then_erasure_the_participant_reflects_each()
    {
        var state = Participant.Create(new ParticipantRegistered(Id, "Jenny", StakeholderGroup.Student, null, [ConsentScope.ServiceImprovement], Now));
        state = Participant.Apply(new ParticipantConsentChanged(Id, [ConsentScope.Research], Now.AddHours(1)), state);
        state = Participant.Apply(new ParticipantErased(Id, null, "Asked to be forgotten", LegalBasis.ConsentWithdrawn, Now.AddHours(2)), state);

        Assert.Equal("Jenny", state.DisplayName);
        Assert.Equal([ConsentScope.Research], state.Consent);
        Assert.Equal(Now.AddHours(2), state.ErasedAt);
    }
}
