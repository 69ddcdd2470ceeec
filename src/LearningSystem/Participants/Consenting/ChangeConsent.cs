using LearningSystem.PersonalData;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Participants.Consenting;

/// <summary>The purposes the participant's contributions may be used for, replacing the earlier ones.</summary>
public sealed record ChangeConsent(IReadOnlyList<string>? Consent);

public sealed class ChangeConsentValidator : AbstractValidator<ChangeConsent>
{
    public ChangeConsentValidator()
    {
        RuleFor(x => x.Consent).NotNull();
        RuleForEach(x => x.Consent)
            .OneOf(WireValues<ConsentScope>.Allowed);
    }
}

public sealed record ConsentRecorded(Guid Id, long Version, IReadOnlyList<ConsentScope> Consent);

public static class ChangeConsentEndpoint
{
    /// <summary>No event when nothing changes, so that repeating the request is harmless.</summary>
    public static IReadOnlyList<ParticipantConsentChanged> Decide(Participant participant, ChangeConsent command, DateTimeOffset now)
    {
        if (participant.ErasedAt is not null)
        {
            throw new Rejected(RejectionKind.Conflict, $"Participant {participant.Id} was erased; there is no one left to consent.");
        }

        var consent = ConsentScopes.Parse(command.Consent!);
        return consent.SequenceEqual(participant.Consent) ? [] : [new ParticipantConsentChanged(participant.Id, consent, now)];
    }

    [WolverinePut("/api/participants/{id}/consent", OperationId = "changeParticipantConsent"), Tags(ParticipantsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    public static async Task<ConsentRecorded> Put(Guid id, ChangeConsent command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Participant>(id, ct);
        var participant = stream.Aggregate ?? throw Rejected.NotFound($"No participant {id} is registered.");
        // Consent is the participant's own act.
        WhoActed.StampParticipant(session, participant.Id, participant.StakeholderGroup);
        var changes = Decide(participant, command, clock.GetUtcNow());
        stream.AppendMany(changes);
        return new ConsentRecorded(id, participant.Version + changes.Count, changes.Count > 0 ? changes[^1].Consent : participant.Consent);
    }
}
