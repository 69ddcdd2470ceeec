using LearningSystem.Http.Describing;
using LearningSystem.Audit.Checkpoints;
using Marten;
using LearningSystem.Attribution;

namespace LearningSystem.Audit;

[ApiTag(Tag, "The tamper-evident hash chain: verification and signed checkpoints.")]
public static class AuditModule
{
    public const string Tag = "Audit";

    public static void AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CheckpointSigner>();
        builder.Services.AddSingleton<Checkpointing>();
        builder.Services.AddSingleton<Verifying.ChainVerifier>();
        builder.Services.AddHostedService<CheckpointWriter>();
    }

    public static StoreOptions AddAudit(this StoreOptions options)
    {
        options.Storage.Add(new HashChainFeature(options));
        options.Listeners.Add(new ProvenanceGuard());
        options.Schema.For<AuditCheckpoint>().Index(c => c.UpToSequence);
        return options;
    }
}
