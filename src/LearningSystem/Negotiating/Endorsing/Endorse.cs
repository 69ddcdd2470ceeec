using FluentValidation;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Negotiating.Endorsing;

public sealed record Endorse(Guid? By, string? Comment, long? ExpectedVersion) : IMove;

public sealed class EndorseValidator : AbstractValidator<Endorse>
{
    public EndorseValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Comment).MaximumLength(2_000);
    }
}

public static class EndorseEndpoint
{
    /// <summary><paramref name="earlier"/> is the participant's endorsement of this proposal, if they made one.</summary>
    public static ProposalEndorsed Decide(INegotiable proposal, Endorsement? earlier, Endorse command, Actor actor, DateTimeOffset now)
    {
        proposal.EnsureOpen();
        if (earlier is not null)
        {
            throw Rejected.Conflict($"Participant {actor.Id} has already endorsed this.");
        }

        return new ProposalEndorsed(proposal.Id, actor.Id, actor.Group, TextInput.Optional(command.Comment), now);
    }

    /// <summary><c>kind</c> is <c>priorities</c>, <c>service-redesigns</c> or <c>curriculum-changes</c>.</summary>
    [WolverinePost("/api/{kind}/{id}/endorsements", OperationId = "endorse"), Tags(NegotiatingModule.Tag)]
    public static Task<Accepted> Post(string kind, Guid id, Endorse command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Moves.MakeAsync(kind, id, command, versionRequired: false, async (proposal, actor, now) =>
        {
            // Read under the proposal's lock (or checked by its version), so two at once cannot both pass.
            var earlier = await session.LoadAsync<Endorsement>(Endorsement.IdFor(proposal.Id, actor.Id), ct);
            return (object)Decide(proposal, earlier, command, actor, now);
        }, http, session, clock, ct);
}
