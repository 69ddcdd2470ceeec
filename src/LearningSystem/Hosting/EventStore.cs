using LearningSystem.Audit;
using LearningSystem.Curriculum;
using LearningSystem.Decisions;
using LearningSystem.Feedback;
using LearningSystem.Lessons;
using LearningSystem.LocalPostgres;
using LearningSystem.Explorer.SigningIn;
using LearningSystem.Negotiating;
using LearningSystem.Notifications;
using LearningSystem.Organisations;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using LearningSystem.ServiceRedesigns;
using JasperFx.Events.Projections;
using Marten;
using JasperFx.MultiTenancy;
using Marten.Storage;
using Weasel.Core;
using Wolverine.Marten;

namespace LearningSystem.Hosting;

public static class EventStore
{
    public const string ConnectionStringName = "LearningSystem";
    public const string Schema = "learningsystem";

    /// <summary>
    /// Uses the configured PostgreSQL, or starts a local one from the machine's server binaries and keeps
    /// its data in a folder that outlives the process.
    /// </summary>
    public static async Task AddEventStoreAsync(this WebApplicationBuilder builder, StartupOutput output)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            var section = builder.Configuration.GetSection("LocalPostgres");
            var server = await LocalPostgresServer.StartAsync(new LocalPostgresOptions
            {
                Folder = section["Folder"] ?? LocalPostgresOptions.DefaultServiceFolder(),
                Port = section.GetValue("Port", 54329),
                Database = section["Database"] ?? "learningsystem",
                BinDirectory = section["BinDirectory"],
            });
            output.Note($"Local PostgreSQL on 127.0.0.1:{server.Port}, data in {server.DataDirectory}");
            builder.Services.AddSingleton(server);
            builder.Services.AddHostedService<StopLocalPostgresOnShutdown>();
            // Commands such as db-apply never start the host; the process exit still stops the server.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
            connectionString = server.ConnectionString;
        }

        // A least-privilege deployment applies the schema as its owner (db-apply) and runs the service as a role
        // that may not change it: see ServiceRoleFeature.
        var serviceRole = builder.Configuration["Database:ServiceRole"] is { Length: > 0 } role ? role : null;
        var applyChanges = builder.Configuration.GetValue("Database:ApplyChangesOnStartup", true);
        var databasePerOrganisation = OrganisationDatabases.IsChosen(builder.Configuration);
        builder.Services.AddSingleton<OrganisationMover>();
        var marten = builder.Services.AddMarten(options =>
            {
                Configure(options, connectionString, serviceRole, databasePerOrganisation);
                if (!applyChanges)
                {
                    options.AutoCreateSchemaObjects = JasperFx.AutoCreate.None;
                }
            })
            .UseLightweightSessions()
            // Appended events go through Wolverine's outbox in the same transaction, for notifications.
            .IntegrateWithWolverine(x =>
            {
                x.UseFastEventForwarding = true;
                // Wolverine's node tables live in the shared database; each database also keeps its own envelopes.
                if (databasePerOrganisation)
                {
                    x.MainDatabaseConnectionString = Tuned(connectionString);
                }
            });
        if (applyChanges)
        {
            marten.ApplyAllDatabaseChangesOnStartup();
        }
    }

    /// <summary>The whole event store's configuration, shared by the service and the benchmarks.</summary>
    public static void Configure(StoreOptions options, string connectionString, string? serviceRole = null, bool databasePerOrganisation = false)
    {
        options.Connection(Tuned(connectionString));

        options.DatabaseSchemaName = Schema;
        if (databasePerOrganisation)
        {
            // After the schema name: the master table and its lookups are made in it.
            options.Tenancy = new OrganisationDatabases(options, Tuned(connectionString));
            options.Storage.Add(new MovedOrganisationsFeature(options));
        }
        // Permanent: stored events are read back with this casing forever.
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        options.Events.TenancyStyle = TenancyStyle.Conjoined;
        options.Policies.AllDocumentsAreMultiTenanted();
        options.Events.MetadataConfig.EnableAll();
        // Rebuilds write each view's rows with COPY where a page is pure inserts (see RebuildInBulk).
        options.Projections.RebuildWithBulkCopy = true;
        options.AddPersonalDataKeys().AddParticipants().AddPatientFeedback().AddNegotiation().AddServiceRedesigns().AddPriorities().AddRounds()
            .AddCurriculum().AddLessons().AddDecisions().AddAudit(serviceRole).AddIdempotency().AddNotifications()
            .AddBrowserSessions();
        options.Storage.Add(new ViewCompression(options));
    }

    /// <summary>
    /// How every view is rebuilt (continuous inline updates are untouched): pages of 5,000 events rather than
    /// 500, and each aggregate kept in memory and written once per 10,000 changed aggregates rather than once
    /// per page, which makes those writes pure inserts.
    /// </summary>
    public static void RebuildInBulk(AsyncOptions options)
    {
        options.BatchSize = 5_000;
        options.RebuildFlushThreshold = 10_000;
    }

    /// <summary>
    /// The store's connection settings, each unless the connection string sets it itself:
    /// <list type="bullet">
    /// <item>Pooled connections go back to the pool without Npgsql's <c>DISCARD ALL</c>: the reset drops
    /// plpgsql's cached plans, so the hash chain's trigger was planned again in every transaction (appends ran
    /// 60% slower). Nothing here leaves session state behind: Weasel releases its advisory locks explicitly,
    /// and Marten drops its temporary tables before making them again.</item>
    /// <item>Npgsql prepares the statements a connection runs repeatedly (up to 50), so PostgreSQL stops parsing
    /// and planning the same few statements of every move: its CPU per move fell by about a fifth.</item>
    /// </list>
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var said = connectionString.Replace(" ", "", StringComparison.Ordinal);
        if (!said.Contains("ResetOnClose", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        if (!said.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 50;
        }

        return builder.ConnectionString;
    }

    private sealed class StopLocalPostgresOnShutdown(LocalPostgresServer server, IHostApplicationLifetime lifetime) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            // ApplicationStopped fires after every other hosted service has let go of the database.
            lifetime.ApplicationStopped.Register(server.Stop);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
