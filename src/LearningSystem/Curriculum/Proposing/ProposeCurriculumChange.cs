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

namespace LearningSystem.Curriculum.Proposing;

public sealed record CoDesignerInput(Guid? Participant, string? Role);

public sealed record ProposeCurriculumChange(
    string? Course, string? Module, string? LearningOutcome, string? ProposedChange, IReadOnlyList<CoDesignerInput>? CoDesigners,
    IReadOnlyList<Guid>? Evidence, Guid? ProposedBy) : IActedBy
{
    Guid? IActedBy.ActingParticipant => ProposedBy;
}

public sealed class ProposeCurriculumChangeValidator : AbstractValidator<ProposeCurriculumChange>
{
    public ProposeCurriculumChangeValidator()
    {
        RuleFor(x => x.Course).NotEmpty().MaximumLength(200);
        RuleFor(x => x.Module).MaximumLength(200);
        RuleFor(x => x.LearningOutcome).NotEmpty().MaximumLength(4_000);
        RuleFor(x => x.ProposedChange).NotEmpty().MaximumLength(4_000);
        RuleFor(x => x.ProposedBy).NotEmpty();
        RuleFor(x => x.CoDesigners).NotEmpty().WithMessage("Name who co-designs the change: patient educators, peer students, other professions.")
            .Must(c => c is null || c.Count <= 50).WithMessage("Name at most 50 co-designers.");
        RuleForEach(x => x.CoDesigners).ChildRules(c =>
        {
            c.RuleFor(d => d.Participant).NotEmpty();
            c.RuleFor(d => d.Role).NotEmpty().OneOf(WireValues<CoDesignRole>.Allowed);
        });
        RuleFor(x => x.Evidence).Must(e => e is null || e.Count <= 100).WithMessage("Cite at most 100 pieces of feedback.");
        RuleForEach(x => x.Evidence).NotEmpty();
    }
}

public static class ProposeCurriculumChangeEndpoint
{
    public static CurriculumChangeProposed Decide(
        Guid id, ProposeCurriculumChange command, IReadOnlyCollection<Participant> people, IReadOnlyCollection<PatientFeedback> evidenceFound, DateTimeOffset now)
    {
        var byId = people.Where(p => p.ErasedAt is null).ToDictionary(p => p.Id);
        if (!byId.TryGetValue(command.ProposedBy!.Value, out var proposer))
        {
            throw Rejected.NotFound($"No participant {command.ProposedBy} is registered.", "proposedBy");
        }

        var named = command.CoDesigners!.Select(d => d.Participant!.Value).ToArray();
        if (named.Length != named.Distinct().Count())
        {
            throw Rejected.Invalid("Each co-designer is named once.", "coDesigners");
        }

        if (named.Where(p => !byId.ContainsKey(p)).ToArray() is { Length: > 0 } unknown)
        {
            throw Rejected.NotFound($"No participant {string.Join(", ", unknown)} is registered.", "coDesigners");
        }

        // Teaching from patients' words is a purpose of its own; they must have agreed to it.
        var evidence = ConsentedEvidence.EnsureEvidence(command.Evidence, evidenceFound, ConsentScope.Education);
        var coDesigners = command.CoDesigners!
            .Select(d => new CoDesigner(d.Participant!.Value, byId[d.Participant.Value].StakeholderGroup, WireValues<CoDesignRole>.Parse(d.Role!)))
            .ToArray();
        return new CurriculumChangeProposed(
            id, command.Course!.Trim(), TextInput.Optional(command.Module), command.LearningOutcome!.Trim(), command.ProposedChange!.Trim(),
            coDesigners, evidence, proposer.Id, proposer.StakeholderGroup, now);
    }

    // One round trip for the proposer, the co-designers and every cited piece of feedback.
    public static async Task<(IReadOnlyList<Participant>, IReadOnlyList<PatientFeedback>)> LoadAsync(
        ProposeCurriculumChange command, IDocumentSession session, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var people = batch.LoadMany<Participant>().ById([command.ProposedBy!.Value, .. command.CoDesigners!.Select(d => d.Participant!.Value).Distinct()]);
        var evidence = batch.LoadMany<PatientFeedback>().ById([.. command.Evidence ?? []]);
        await batch.Execute(ct);
        return (await people, await evidence);
    }

    [WolverinePost("/api/curriculum-changes", OperationId = "proposeCurriculumChange"), Tags(CurriculumModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static (Created, IStartStream) Post(
        ProposeCurriculumChange command, IReadOnlyList<Participant> people, IReadOnlyList<PatientFeedback> evidence, IDocumentSession session, TimeProvider clock)
    {
        var id = Guid.CreateVersion7();
        var proposed = Decide(id, command, people, evidence, clock.GetUtcNow());
        WhoActed.StampParticipant(session, proposed.ProposedBy, proposed.ProposerGroup);
        return (Created.At("/api/curriculum-changes", id, 1), MartenOps.StartStream<CurriculumChange>(id, proposed));
    }
}
