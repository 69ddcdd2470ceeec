using LearningSystem.Organisations.Databases;
using LearningSystem.Organisations.Moving;
using LearningSystem.Storage;
using Marten;

namespace LearningSystem.Organisations;

public static class OrganisationsModule
{
    /// <summary>Whether organisations may live in databases of their own (<c>Database:Tenancy</c>).</summary>
    public static bool DatabasePerOrganisation(IConfiguration configuration) => OrganisationDatabases.IsChosen(configuration);

    public static void AddOrganisations(this WebApplicationBuilder builder) => builder.Services.AddSingleton<OrganisationMover>();

    /// <summary>Database-per-organisation tenancy, with the shared database at <paramref name="connectionString"/>.</summary>
    public static StoreOptions AddOrganisationDatabases(this StoreOptions options, string connectionString)
    {
        // After the schema name: the master table and its lookups are made in it.
        options.Tenancy = new OrganisationDatabases(options, Connections.Tuned(connectionString));
        options.Storage.Add(new MovedOrganisationsFeature(options));
        return options;
    }
}
