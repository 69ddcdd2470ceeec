using FluentValidation;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Negotiating.Amending;

public sealed record RejectAmendment(Guid? By, string? Reason, long? ExpectedVersion) : IMove;

public sealed class RejectAmendmentValidator : AbstractValidator<RejectAmendment>
{
    public RejectAmendmentValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Reason).NotEmpty().MaximumLength(4_000);
    }
}

public static class RejectAmendmentEndpoint
{
    public static AmendmentRejected Decide(INegotiable proposal, Guid amendmentId, RejectAmendment command, Actor actor, DateTimeOffset now)
    {
        proposal.Negotiation.EnsureAmendmentDecidable(proposal, amendmentId, actor);
        return new AmendmentRejected(proposal.Id, amendmentId, actor.Id, actor.Group, command.Reason!.Trim(), now);
    }

    /// <summary><c>kind</c> is <c>priorities</c>, <c>service-redesigns</c> or <c>curriculum-changes</c>.</summary>
    [WolverinePost("/api/{kind}/{id}/amendments/{amendmentId}/rejection", OperationId = "rejectAmendment"), Tags(NegotiatingModule.Tag)]
    public static Task<Accepted> Post(
        string kind, Guid id, Guid amendmentId, RejectAmendment command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Moves.MakeAsync(kind, id, command, versionRequired: true,
            (proposal, actor, now) => Decide(proposal, amendmentId, command, actor, now), http, session, clock, ct);
}
