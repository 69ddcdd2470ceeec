using FluentValidation;
using LearningSystem.Audit.Checkpoints;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Audit.Verifying;

/// <summary>Checkpoints an auditor kept, as <c>/api/audit/checkpoints.ndjson</c> gave them (each line one item).</summary>
public sealed record CheckConsistency(IReadOnlyList<AuditCheckpoint>? Checkpoints) : IActedByClient;

public sealed class CheckConsistencyValidator : AbstractValidator<CheckConsistency>
{
    public CheckConsistencyValidator()
    {
        RuleFor(x => x.Checkpoints).NotEmpty();
        RuleFor(x => x.Checkpoints!.Count).LessThanOrEqualTo(CheckConsistencyEndpoint.MaxKept).When(x => x.Checkpoints is not null)
            .WithMessage($"Send at most {CheckConsistencyEndpoint.MaxKept} checkpoints at a time.");
        RuleForEach(x => x.Checkpoints)
            .Must(c => c is null || c is { Statement: not null, Root: not null, HeadsRoot: not null, Previous: not null, Heads: not null })
            .WithMessage("Send each checkpoint whole, as /api/audit/checkpoints.ndjson gave it.");
    }
}

/// <summary>A kept checkpoint beside the service's own checkpoint of that number: <c>same</c>, <c>different</c> or <c>missing</c>.</summary>
public sealed record KeptCheckpoint(long Number, string Stored);

/// <summary>
/// Whether today's history is consistent with every kept checkpoint (<see cref="Against"/> is the verification run
/// against the kept checkpoints instead of the stored ones, naming the first difference), and whether the service
/// still holds each kept checkpoint unchanged.
/// </summary>
public sealed record ConsistencyReport(bool Consistent, IReadOnlyList<KeptCheckpoint> Kept, AuditReport Against);

public static class CheckConsistencyEndpoint
{
    public const int MaxKept = 10_000;

    /// <summary>
    /// Recomputes today's links and roots against the checkpoints an auditor kept, trusting only the service's
    /// signing keys: each kept root must still be the root of the history up to its sequence, each kept head must
    /// still hold, and the service must still hold each kept checkpoint as it was.
    /// </summary>
    [WolverinePost("/api/audit/consistency", OperationId = "checkAuditConsistency"), Tags(AuditModule.Tag)]
    [ProducesResponseType<ConsistencyReport>(200, "application/json")]
    public static async Task<ConsistencyReport> Post(CheckConsistency command, IQuerySession session, ChainVerifier verifier, CancellationToken ct)
    {
        var kept = command.Checkpoints!;
        var stored = (await session.Chained().ToListAsync(ct)).ToLookup(c => c.Number);
        var compared = kept.OrderBy(c => c.Number)
            .Select(c => new KeptCheckpoint(c.Number, stored[c.Number].FirstOrDefault() is not { } own ? "missing" : own.Statement == c.Statement ? "same" : "different"))
            .ToArray();
        var against = await verifier.VerifyAsync(session, null, kept, ct);
        return new ConsistencyReport(against.Intact && compared.All(c => c.Stored == "same"), compared, against);
    }
}
