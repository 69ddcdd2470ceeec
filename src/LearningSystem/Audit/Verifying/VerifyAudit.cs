using LearningSystem.Audit.Checkpoints;
using Marten;
using Wolverine.Http;

namespace LearningSystem.Audit.Verifying;

public static class VerifyAuditEndpoint
{
    /// <summary>Recomputes the organisation's hash chain (or one stream's) and its checkpoints; reports the first broken link.</summary>
    [WolverineGet("/api/audit/verify", OperationId = "verifyAudit"), Tags("Audit")]
    public static async Task<AuditReport> Get(Guid? stream, IQuerySession session, CancellationToken ct)
    {
        var checkpoints = stream is null
            ? (await session.Query<AuditCheckpoint>().OrderBy(c => c.UpToSequence).ToListAsync(ct)).Select(c => (c.UpToSequence, c.Events, c.Root)).ToArray()
            : [];
        await using var connection = session.DocumentStore.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        return await ChainVerifier.VerifyAsync(connection, session.DocumentStore.Options.DatabaseSchemaName, session.TenantId, stream, checkpoints, ct);
    }
}
