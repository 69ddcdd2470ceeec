using LearningSystem.PersonalData;
using FluentValidation;
using LearningSystem.Feedback;
using LearningSystem.Participants;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.ServiceRedesigns.Proposing;

public sealed record ProposeServiceRedesign(
    string? Title,
    string? Problem,
    string? ProposedChange,
    string? Service,
    Guid? ProposedBy,
    IReadOnlyList<Guid>? Evidence) : IActedBy
{
    Guid? IActedBy.ActingParticipant => ProposedBy;
}

public sealed class ProposeServiceRedesignValidator : AbstractValidator<ProposeServiceRedesign>
{
    public ProposeServiceRedesignValidator()
    {
        RuleFor(x => x.Title).NotEmpty().MaximumLength(200);
        RuleFor(x => x.Problem).NotEmpty().MaximumLength(4_000);
        RuleFor(x => x.ProposedChange).NotEmpty().MaximumLength(4_000);
        RuleFor(x => x.Service).NotEmpty().MaximumLength(200);
        RuleFor(x => x.ProposedBy).NotEmpty();
        RuleFor(x => x.Evidence).Must(e => e is null || e.Count <= 100).WithMessage("Cite at most 100 pieces of feedback.");
        RuleForEach(x => x.Evidence).NotEmpty();
    }
}

public static class ProposeServiceRedesignEndpoint
{
    public static ServiceRedesignProposed Decide(
        Guid id, ProposeServiceRedesign command, Participant? proposer, IReadOnlyCollection<PatientFeedback> evidenceFound, DateTimeOffset now)
    {
        if (proposer is null)
        {
            throw Rejected.NotFound($"No participant {command.ProposedBy} is registered.", "proposedBy");
        }

        // Feedback is evidence for a redesign only where the patient consented to service improvement.
        var evidence = ConsentedEvidence.EnsureEvidence(command.Evidence, evidenceFound, ConsentScope.ServiceImprovement);

        return new ServiceRedesignProposed(
            id,
            command.Title!.Trim(),
            command.Problem!.Trim(),
            command.ProposedChange!.Trim(),
            command.Service!.Trim(),
            proposer.Id,
            proposer.StakeholderGroup,
            evidence,
            now);
    }

    // One round trip for the proposer and every cited piece of feedback.
    public static async Task<(Participant?, IReadOnlyList<PatientFeedback>)> LoadAsync(
        ProposeServiceRedesign command, IDocumentSession session, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var proposer = batch.Load<Participant>(command.ProposedBy!.Value);
        var evidence = batch.LoadMany<PatientFeedback>().ById([.. command.Evidence ?? []]);
        await batch.Execute(ct);
        return (await proposer, await evidence);
    }

    [WolverinePost("/api/service-redesigns", OperationId = "proposeServiceRedesign"), Tags(ServiceRedesignsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static (Created, IStartStream) Post(
        ProposeServiceRedesign command, Participant? proposer, IReadOnlyList<PatientFeedback> evidence, IDocumentSession session, TimeProvider clock)
    {
        var id = Guid.CreateVersion7();
        var proposed = Decide(id, command, proposer, evidence, clock.GetUtcNow());
        WhoActed.StampParticipant(session, proposed.ProposedBy, proposed.ProposerGroup);
        return (Created.At("/api/service-redesigns", id, 1), MartenOps.StartStream<ServiceRedesign>(id, proposed));
    }
}
