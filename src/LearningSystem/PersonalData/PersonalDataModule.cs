using LearningSystem.LocalPostgres;
using Marten;

namespace LearningSystem.PersonalData;

public static class PersonalDataModule
{
    public static void AddPersonalData(this WebApplicationBuilder builder)
    {
        // Beside the data it protects: each local cluster has its own, so two instances never share a key.
        var keyFile = builder.Configuration["LocalPostgres:Folder"] is { Length: > 0 } folder
            ? $"{Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar)}-master-key.json"
            : Path.Combine(Path.GetDirectoryName(LocalPostgresOptions.DefaultServiceFolder())!, "master-key.json");
        builder.Services.AddSingleton(services => MasterKeyRing.FromConfiguration(
            builder.Configuration, keyFile, services.GetService<LearningSystem.Operations.StartupOutput>() is { } output ? output.Note : Console.WriteLine));
        builder.Services.AddSingleton<SubjectKeyCache>();
        builder.Services.AddSingleton<PersonalDataVault>();
        builder.Services.AddSingleton<Peppers>();
        builder.Services.AddSingleton<SubjectErasure>();
        builder.Services.AddSingleton<MasterKeyRotation>();
    }

    public static StoreOptions AddPersonalDataKeys(this StoreOptions options, PersonalDataSchema schema)
    {
        // Keys are written with every new data subject: a plain indexed column and no informational
        // metadata keep that row cheap (see docs/benchmarks/personal-data.md).
        options.Schema.For<SubjectKey>().Duplicate(k => k.Subject).Metadata(m => m.DisableInformationalFields());
        options.Listeners.Add(new SealedFieldsGuard(schema));
        options.Storage.Add(new SubjectKeyAssertion(options));
        return options;
    }
}

/// <summary>A feature of its own, so that its schema is the store's final one (features are built when the schema is applied).</summary>
public sealed class SubjectKeyAssertion(StoreOptions options) : Weasel.Core.Migrations.FeatureSchemaBase("SubjectKeyAssertion", options.Advanced.Migrator)
{
    protected override IEnumerable<Weasel.Core.ISchemaObject> schemaObjects()
    {
        yield return new KeyLiveness.AssertLiveKey(options.DatabaseSchemaName);
        yield return new KeyLiveness.SealedUnder(options.DatabaseSchemaName);
        yield return new KeyLiveness.ErasureWaits(options.DatabaseSchemaName);
    }
}
