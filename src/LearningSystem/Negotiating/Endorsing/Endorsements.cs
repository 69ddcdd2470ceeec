using JasperFx.Events;
using LearningSystem.Participants;
using Marten;
using Marten.Events.Projections;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Storage;

namespace LearningSystem.Negotiating.Endorsing;

/// <summary>
/// One participant's endorsement of one proposal, a document of its own, so that an endorsement adds a row
/// rather than rewriting a list that grows with every one before it. <c>Version</c> is the proposal's
/// version the endorsement took it to.
/// </summary>
public sealed record Endorsement(Guid Id, Guid ProposalId, Guid By, StakeholderGroup ByGroup, string? Comment, long Version, DateTimeOffset At)
{
    /// <summary>Fixed by proposal and participant: a participant endorses a proposal once.</summary>
    public static Guid IdFor(Guid proposal, Guid participant) => PairId.Of(proposal, participant);

    public static Endorsement From(ProposalEndorsed e, long version) => new(IdFor(e.ProposalId, e.By), e.ProposalId, e.By, e.ByGroup, e.Comment, version, e.At);
}

/// <summary>Every endorsement, kept as it is appended.</summary>
public sealed partial class EndorsementIndex : EventProjection
{
    public static Endorsement Create(IEvent<ProposalEndorsed> e) => Endorsement.From(e.Data, e.Version);
}

public static class ListEndorsementsEndpoint
{
    /// <summary>
    /// A proposal's endorsements in the order they were made, <c>limit</c> at a time after the proposal's
    /// version <c>after</c>; a Link header points to the rest. With <c>asOf</c> (a time) or <c>version</c>,
    /// those made by then. <c>kind</c> is <c>priorities</c>, <c>service-redesigns</c> or <c>curriculum-changes</c>.
    /// </summary>
    [WolverineGet("/api/{kind}/{id}/endorsements", OperationId = "listEndorsements"), Tags(NegotiatingModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IReadOnlyList<Endorsement>?> Get(
        string kind, Guid id, int? limit, long? after, DateTimeOffset? asOf, long? version, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var take = Paging.Limit(limit);
        AsOf.Check(version);

        // The proposal must be of the kind the route names, not merely share the id of endorsements elsewhere.
        if (!await Moves.ExistsAsync(kind, id, session, ct))
        {
            return null;
        }

        var from = after ?? 0;
        List<Endorsement> endorsements;
        if (AsOf.Asked(asOf, version))
        {
            // Time travel reads the history, as the proposal's own as-of view does.
            var events = await session.Events.FetchStreamAsync(id, version ?? 0, asOf, token: ct);
            if (events.Count == 0)
            {
                // Before the proposal existed, as its own as-of view answers.
                return null;
            }

            endorsements = [.. events.OfType<IEvent<ProposalEndorsed>>()
                .Select(e => Endorsement.From(e.Data, e.Version))
                .Where(e => e.Version > from)
                .Take(take + 1)];
        }
        else
        {
            endorsements = [.. await session.Query<Endorsement>()
                .Where(e => e.ProposalId == id && e.Version > from)
                .OrderBy(e => e.Version)
                .Take(take + 1)
                .ToListAsync(ct)];
        }

        return Paging.ByVersion(http, endorsements, take, e => e.Version);
    }
}
