using LearningSystem.Access;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Negotiating;
using LearningSystem.Feedback;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.ServiceRedesigns.Reading;

public sealed record ProposerView(Guid Id, string DisplayName, StakeholderGroup StakeholderGroup);

public sealed record EvidenceView(Guid Id, string Service, FeedbackRating Rating, DateTimeOffset ReceivedAt, string Comment);

public sealed record ServiceRedesignView(
    Guid Id,
    string Title,
    string Problem,
    string ProposedChange,
    string Service,
    ProposerView ProposedBy,
    IReadOnlyList<EvidenceView> Evidence,
    DateTimeOffset ProposedAt,
    Negotiation Negotiation,
    ChangeDecision? Decision,
    IReadOnlyList<Implementation> Implementations,
    IReadOnlyList<Measurement> Outcomes,
    IReadOnlyList<Evaluation> Evaluations,
    long Version);

public static class GetServiceRedesignEndpoint
{
    // The stored redesign holds references only; names and feedback are joined at read time so that
    // they always show the person's current (or erased) data.
    public static ServiceRedesignView Compose(ServiceRedesign redesign, Participant proposer, IReadOnlyList<PatientFeedback> evidence)
    {
        var byId = evidence.ToDictionary(f => f.Id);
        return new ServiceRedesignView(
            redesign.Id,
            redesign.Title,
            redesign.Problem,
            redesign.ProposedChange,
            redesign.Service,
            new ProposerView(proposer.Id, proposer.DisplayName, redesign.ProposerGroup),
            redesign.Evidence.Where(byId.ContainsKey)
                .Select(id => byId[id])
                .Select(f => new EvidenceView(f.Id, f.Service, f.Rating, f.ReceivedAt, f.Comment))
                .ToArray(),
            redesign.ProposedAt,
            redesign.Negotiation,
            redesign.Decision,
            redesign.Implementations,
            redesign.Outcomes,
            redesign.Evaluations,
            redesign.Version);
    }

    /// <summary>
    /// The redesign as it stands, or as it stood at <c>asOf</c> or <c>version</c>. What its evidence's patients wrote
    /// shows only to a client that may read feedback (<c>feedback:read</c>); to others it reads <c>[withheld]</c>.
    /// </summary>
    [WolverineGet("/api/service-redesigns/{id}", OperationId = "getServiceRedesign"), Tags(ServiceRedesignsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<ServiceRedesignView?> Get(
        Guid id, DateTimeOffset? asOf, long? version, HttpContext http, IQuerySession session, PersonalDataVault vault, CancellationToken ct)
    {
        var redesign = await AsOf.LoadAsync<ServiceRedesign>(session, id, asOf, version, ct);
        if (redesign is null)
        {
            return null;
        }

        var batch = session.CreateBatchQuery();
        var proposer = batch.Load<Participant>(redesign.ProposedBy);
        var evidence = batch.LoadMany<PatientFeedback>().ById([.. redesign.Evidence]);
        await batch.Execute(ct);
        IReadOnlyList<PatientFeedback> cited = http.User.HasScope(Access.Scopes.FeedbackRead)
            ? await vault.OpenAllAsync(session, await evidence, ct)
            : [.. (await evidence).Select(f => f with { Comment = SealedValue.WithheldMarker, PatientRef = null })];
        return Compose(redesign, await vault.OpenAsync(session, (await proposer)!, ct), cited);
    }
}
