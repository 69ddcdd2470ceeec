using LearningSystem.Audit.Checkpoints;
using LearningSystem.Audit.Verifying;
using Marten;

namespace LearningSystem.Explorer;

public sealed record AuditModel(CheckpointsExport Checkpoints, AuditReport? Report);

public partial class AuditPage : IPage<AuditModel>
{
    public static async Task<AuditModel?> LoadAsync(IQuerySession session, ChainVerifier verifier, bool verify, CancellationToken ct) =>
        new AuditModel(await CheckpointEndpoints.List(session, ct), verify ? await VerifyAuditEndpoint.Get(null, session, verifier, ct) : null);
}
