using LearningSystem.Audit.Checkpoints;
using Marten;
using LearningSystem.Attribution;

namespace LearningSystem.Audit;

public static class AuditModule
{
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
