using LearningSystem.Access;
using LearningSystem.Audit;
using LearningSystem.Curriculum;
using LearningSystem.Decisions;
using LearningSystem.Explorer;
using LearningSystem.Feedback;
using LearningSystem.Finding;
using LearningSystem.Http;
using LearningSystem.Http.Idempotency;
using LearningSystem.Lessons;
using LearningSystem.Negotiating;
using LearningSystem.Notifications;
using LearningSystem.Operations;
using LearningSystem.Organisations;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using LearningSystem.ServiceRedesigns;
using LearningSystem.Storage;
using LearningSystem.Views;
using Marten;

namespace LearningSystem.Composition;

/// <summary>
/// The one place that knows every room: each room configures itself in its module file, and this puts them
/// together, for the service and for the benchmarks.
/// </summary>
public static class Modules
{
    public static async Task AddEveryModuleAsync(this WebApplicationBuilder builder, StartupOutput output)
    {
        builder.AddApi();
        builder.AddAccess();
        builder.AddTelemetry();
        builder.AddNotifications();
        builder.AddPersonalData();
        builder.Services.AddSingleton(PersonalFields.Schema);
        builder.AddAudit();
        builder.AddExplorer();
        builder.AddOrganisations();
        var connectionString = await builder.ConnectionStringAsync(output);
        var serviceRole = builder.Configuration["Database:ServiceRole"] is { Length: > 0 } role ? role : null;
        var databasePerOrganisation = OrganisationsModule.DatabasePerOrganisation(builder.Configuration);
        builder.AddEventStore(connectionString, options => ConfigureStore(options, connectionString, serviceRole, databasePerOrganisation), databasePerOrganisation);
    }

    public static void UseEveryModule(this WebApplication app)
    {
        app.UseApi();
        app.UseExplorer();
    }

    /// <summary>The whole event store's configuration: the store's conventions, then every room's events and views.</summary>
    public static void ConfigureStore(StoreOptions options, string connectionString, string? serviceRole = null, bool databasePerOrganisation = false)
    {
        options.UseEventStore(connectionString);
        if (databasePerOrganisation)
        {
            options.AddOrganisationDatabases(connectionString);
        }

        options.AddPersonalDataKeys(PersonalFields.Schema).AddParticipants().AddPatientFeedback().AddNegotiation().AddServiceRedesigns().AddPriorities().AddRounds()
            .AddCurriculum().AddLessons().AddDecisions().AddAudit().AddServiceRole(serviceRole).AddIdempotency().AddNotifications()
            .AddBrowserSessions().AddFinding();
        options.AddViews();
    }
}
