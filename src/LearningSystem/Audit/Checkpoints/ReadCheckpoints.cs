using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.Audit.Checkpoints;

public sealed record CheckpointsExport(string Algorithm, IReadOnlyList<AuditCheckpoint> Checkpoints);

public static class CheckpointEndpoints
{
    /// <summary>The organisation's checkpoints in their chain, first to last; those made before chain v5 have no number and are left out.</summary>
    public static IQueryable<AuditCheckpoint> Chained(this IQuerySession session) =>
        session.Query<AuditCheckpoint>().Where(c => c.Number > 0).OrderBy(c => c.Number);

    /// <summary>Every checkpoint of the organisation, oldest first: the copy an auditor keeps outside our database.</summary>
    [WolverineGet("/api/audit/checkpoints", OperationId = "listAuditCheckpoints"), Tags(AuditModule.Tag)]
    public static async Task<CheckpointsExport> List(IQuerySession session, CancellationToken ct) =>
        new(AuditCheckpoint.Algorithm, await session.Chained().ToListAsync(ct));

    /// <summary>Makes a checkpoint now, over the links that have settled; 204 when nothing is new since the last one.</summary>
    [WolverinePost("/api/audit/checkpoints", OperationId = "makeAuditCheckpoint"), Tags(AuditModule.Tag)]
    [ProducesResponseType<AuditCheckpoint>(201, "application/json")]
    public static async Task<IResult> Post(HttpContext http, Checkpointing checkpointing, IQuerySession session, CancellationToken ct) =>
        await checkpointing.MakeAsync(session.TenantId, ct) is { } made
            ? Results.Created($"/api/audit/checkpoints/{made.Id}", made)
            : Results.NoContent();
}
