using Marten;
using Wolverine.Http;

namespace LearningSystem.Audit.Verifying;

public static class VerifyAuditEndpoint
{
    /// <summary>
    /// Recomputes the organisation's hash chain (or one stream's) and checks it against every checkpoint; reports
    /// the first broken link. A stream the organisation never had is a 404, not an empty "intact".
    /// </summary>
    [WolverineGet("/api/audit/verify", OperationId = "verifyAudit"), Tags(AuditModule.Tag)]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<Microsoft.AspNetCore.Mvc.ProblemDetails>(404, "application/problem+json")]
    public static async Task<AuditReport> Get(Guid? stream, IQuerySession session, ChainVerifier verifier, CancellationToken ct)
    {
        var report = await verifier.VerifyAsync(session, stream, ct);
        return stream is { } id && report.EventsChecked == 0 && report.Broken.Count == 0
            ? throw Rejected.NotFound($"Organisation {session.TenantId} has no stream {id}.", "stream")
            : report;
    }
}
