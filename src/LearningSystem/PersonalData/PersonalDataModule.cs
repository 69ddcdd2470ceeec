using LearningSystem.LocalPostgres;
using Marten;

namespace LearningSystem.PersonalData;

public static class PersonalDataModule
{
    public static void AddPersonalData(this WebApplicationBuilder builder)
    {
        var keyFile = Path.Combine(Path.GetDirectoryName(LocalPostgresOptions.DefaultServiceFolder())!, "master-key.json");
        builder.Services.AddSingleton(_ => MasterKeyRing.FromConfiguration(builder.Configuration, keyFile));
        builder.Services.AddSingleton<PersonalDataVault>();
    }

    public static StoreOptions AddPersonalDataKeys(this StoreOptions options)
    {
        options.Schema.For<SubjectKey>().Index(k => k.Subject);
        options.Listeners.Add(new SealedFieldsGuard());
        return options;
    }
}
