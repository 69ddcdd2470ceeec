using FluentValidation;
using LearningSystem.PersonalData;
using Marten;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Participants.Erasing;

/// <summary>A request to erase a data subject: why, on which legal basis, and who asked.</summary>
public sealed record RequestErasure(string? Reason, string? LegalBasis, Guid? RequestedBy) : IActedBy
{
    Guid? IActedBy.ActingParticipant => RequestedBy;
}

public sealed class RequestErasureValidator : AbstractValidator<RequestErasure>
{
    public RequestErasureValidator()
    {
        RuleFor(x => x.Reason).NotEmpty().MaximumLength(2_000);
        RuleFor(x => x.LegalBasis).NotEmpty()
            .OneOf(WireValues<LegalBasis>.Allowed);
    }
}

public static class Erasures
{
    public static Erasure Decide(RequestErasure command, Participant? requester, DateTimeOffset now)
    {
        if (command.RequestedBy is { } asked && requester is null)
        {
            throw Rejected.NotFound($"No participant {asked} is registered.", "requestedBy");
        }

        return new Erasure(command.RequestedBy, command.Reason!.Trim(), WireValues<LegalBasis>.Parse(command.LegalBasis!), now);
    }

    /// <summary>The participant who asked, on record with the erasure; with none, the client acts in its own name.</summary>
    public static async Task<Participant?> RequesterAsync(IDocumentSession session, RequestErasure command, CancellationToken ct)
    {
        var requester = command.RequestedBy is { } id ? await session.LoadAsync<Participant>(id, ct) : null;
        if (requester is not null)
        {
            WhoActed.StampParticipant(session, requester.Id, requester.StakeholderGroup);
        }

        return requester;
    }
}
