using FluentValidation;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Negotiating.Amending;

/// <summary>A new wording: a priority's statement, a redesign's proposed change, a curriculum change's learning outcome.</summary>
public sealed record ProposeAmendment(Guid? By, string? Wording, string? Reason, long? ExpectedVersion) : IMove;

public sealed class ProposeAmendmentValidator : AbstractValidator<ProposeAmendment>
{
    public ProposeAmendmentValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Wording).NotEmpty().MaximumLength(4_000);
        RuleFor(x => x.Reason).NotEmpty().MaximumLength(4_000);
    }
}

public static class ProposeAmendmentEndpoint
{
    public static AmendmentProposed Decide(INegotiable proposal, ProposeAmendment command, Actor actor, Guid amendmentId, DateTimeOffset now)
    {
        proposal.EnsureOpen();
        var wording = command.Wording!.Trim();
        if (wording == proposal.Negotiation.Wording)
        {
            throw Rejected.Invalid("The amendment's wording is the current wording.", "wording");
        }

        return new AmendmentProposed(proposal.Id, amendmentId, actor.Id, actor.Group, wording, command.Reason!.Trim(), now);
    }

    /// <summary><c>kind</c> is <c>priorities</c>, <c>service-redesigns</c> or <c>curriculum-changes</c>.</summary>
    [WolverinePost("/api/{kind}/{id}/amendments", OperationId = "proposeAmendment"), Tags(NegotiatingModule.Tag)]
    public static Task<Accepted> Post(string kind, Guid id, ProposeAmendment command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Moves.MakeAsync(kind, id, command, versionRequired: true,
            (proposal, actor, now) => Decide(proposal, command, actor, Guid.CreateVersion7(), now), http, session, clock, ct);
}
