using LearningSystem.Participants;
using LearningSystem.Participants.Registering;

namespace LearningSystem.Tests.Deciders;

public sealed class RegisteringParticipantDecisions
{
    private static readonly Guid Id = Guid.Parse("0f4b5a0e-1c1d-4a34-9a57-1d2f3a4b5c6d");
    private static readonly DateTimeOffset Now = TestClock.Start;

    [Fact]
    public void When_registering_then_the_participant_is_registered_with_trimmed_text()
    {
        var then = RegisterParticipantEndpoint.Decide(Id, new RegisterParticipant("  Jenny ", "alliedHealthProfessional", " Physiotherapist "), Now);

        Assert.Equal(new ParticipantRegistered(Id, "Jenny", StakeholderGroup.AlliedHealthProfessional, "Physiotherapist", Now), then);
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
    public void Given_registration_the_participant_is_as_registered()
    {
        var state = Participant.Create(new ParticipantRegistered(Id, "Jenny", StakeholderGroup.Student, null, Now));

        Assert.Equal(new Participant(Id, "Jenny", StakeholderGroup.Student, null, Now), state);
    }
}
