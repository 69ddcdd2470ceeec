using FluentValidation;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Negotiating.Amending;

public sealed record AcceptAmendment(Guid? By, string? Reason, long? ExpectedVersion) : IMove;

public sealed class AcceptAmendmentValidator : AbstractValidator<AcceptAmendment>
{
    public AcceptAmendmentValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Reason).MaximumLength(4_000);
    }
}

public static class AcceptAmendmentEndpoint
{
    public static AmendmentAccepted Decide(INegotiable proposal, Guid amendmentId, AcceptAmendment command, Actor actor, DateTimeOffset now)
    {
        proposal.Negotiation.EnsureAmendmentDecidable(proposal, amendmentId, actor);
        return new AmendmentAccepted(proposal.Id, amendmentId, actor.Id, actor.Group, TextInput.Optional(command.Reason), now);
    }

    /// <summary><c>kind</c> is <c>priorities</c>, <c>service-redesigns</c> or <c>curriculum-changes</c>.</summary>
    [WolverinePost("/api/{kind}/{id}/amendments/{amendmentId}/acceptance", OperationId = "acceptAmendment"), Tags(NegotiatingModule.Tag)]
    public static Task<Accepted> Post(
        string kind, Guid id, Guid amendmentId, AcceptAmendment command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Moves.MakeAsync(kind, id, command, versionRequired: true,
            (proposal, actor, now) => Decide(proposal, amendmentId, command, actor, now), http, session, clock, ct);
}
