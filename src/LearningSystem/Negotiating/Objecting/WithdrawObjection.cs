using FluentValidation;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Negotiating.Objecting;

public sealed record WithdrawObjection(Guid? By, string? Reason, long? ExpectedVersion) : IMove;

public sealed class WithdrawObjectionValidator : AbstractValidator<WithdrawObjection>
{
    public WithdrawObjectionValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Reason).MaximumLength(4_000);
    }
}

public static class WithdrawObjectionEndpoint
{
    /// <param name="objection">The objection as it stands, read after the proposal's lock is held; null if none has that id.</param>
    public static ObjectionWithdrawn Decide(INegotiable proposal, Guid objectionId, Objection? objection, WithdrawObjection command, Actor actor, DateTimeOffset now)
    {
        proposal.EnsureOpen();
        if (objection is null || objection.ProposalId != proposal.Id)
        {
            throw Rejected.NotFound($"Proposal {proposal.Id} has no objection {objectionId}.");
        }

        if (objection.By != actor.Id)
        {
            throw Rejected.Conflict("Only the participant who raised an objection can withdraw it.");
        }

        if (!objection.Open)
        {
            throw Rejected.Conflict($"Objection {objectionId} is no longer open.");
        }

        return new ObjectionWithdrawn(proposal.Id, objectionId, actor.Id, actor.Group, TextInput.Optional(command.Reason), now);
    }

    /// <summary><c>kind</c> is <c>priorities</c>, <c>service-redesigns</c> or <c>curriculum-changes</c>.</summary>
    [WolverinePost("/api/{kind}/{id}/objections/{objectionId}/withdrawal", OperationId = "withdrawObjection"), Tags(NegotiatingModule.Tag)]
    public static Task<Accepted> Post(
        string kind, Guid id, Guid objectionId, WithdrawObjection command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Moves.MakeAsync(kind, id, command, versionRequired: false,
            async (proposal, actor, now) => (object)Decide(proposal, objectionId, await session.LoadAsync<Objection>(objectionId, ct), command, actor, now),
            http, session, clock, ct);
}
