using LearningSystem.Audit.Checkpoints;
using Marten;
using Wolverine.Http;

namespace LearningSystem.Audit.Verifying;

public static class VerifyAuditEndpoint
{
    /// <summary>
    /// Recomputes the organisation's hash chain (or one stream's) and its checkpoints; reports the first broken
    /// link. A stream the organisation never had is a 404, not an empty "intact".
    /// </summary>
    [WolverineGet("/api/audit/verify", OperationId = "verifyAudit"), Tags("Audit")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<Microsoft.AspNetCore.Mvc.ProblemDetails>(404, "application/problem+json")]
    public static async Task<AuditReport> Get(Guid? stream, IQuerySession session, CancellationToken ct)
    {
        var checkpoints = stream is null
            ? (await session.Query<AuditCheckpoint>().OrderBy(c => c.UpToSequence).ToListAsync(ct)).Select(c => (c.UpToSequence, c.Events, c.Root)).ToArray()
            : [];
        await using var connection = session.DocumentStore.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var report = await ChainVerifier.VerifyAsync(connection, session.DocumentStore.Options.DatabaseSchemaName, session.TenantId, stream, checkpoints, ct);
        return stream is { } id && report.EventsChecked == 0 && report.Broken.Count == 0
            ? throw Rejected.NotFound($"Organisation {session.TenantId} has no stream {id}.", "stream")
            : report;
    }
}
