using FluentValidation;
using LearningSystem.Participants;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Negotiating.Objecting;

public sealed record RaiseObjection(Guid? By, string? Reason, long? ExpectedVersion) : IMove;

public sealed class RaiseObjectionValidator : AbstractValidator<RaiseObjection>
{
    public RaiseObjectionValidator()
    {
        RuleFor(x => x.By).NotEmpty();
        RuleFor(x => x.Reason).NotEmpty().MaximumLength(4_000);
    }
}

public static class RaiseObjectionEndpoint
{
    public static ObjectionRaised Decide(INegotiable proposal, RaiseObjection command, Actor actor, Guid objectionId, DateTimeOffset now)
    {
        proposal.EnsureOpen();
        return new ObjectionRaised(proposal.Id, objectionId, actor.Id, actor.Group, command.Reason!.Trim(), now);
    }

    /// <summary><c>kind</c> is <c>priorities</c>, <c>service-redesigns</c> or <c>curriculum-changes</c>.</summary>
    [WolverinePost("/api/{kind}/{id}/objections", OperationId = "raiseObjection"), Tags(NegotiatingModule.Tag)]
    public static Task<Accepted> Post(string kind, Guid id, RaiseObjection command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Moves.MakeAsync(kind, id, command, versionRequired: false,
            (proposal, actor, now) => Decide(proposal, command, actor, Guid.CreateVersion7(), now), http, session, clock, ct);
}
