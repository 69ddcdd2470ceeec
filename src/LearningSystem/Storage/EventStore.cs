using LearningSystem.LocalPostgres;
using JasperFx.Events.Projections;
using Marten;
using JasperFx.MultiTenancy;
using Weasel.Core;
using Wolverine.Marten;
using LearningSystem.Operations;

namespace LearningSystem.Storage;

public static class EventStore
{
    public const string ConnectionStringName = "LearningSystem";
    public const string Schema = "learningsystem";

    /// <summary>
    /// The configured PostgreSQL, or a local one started from the machine's server binaries, which keeps its
    /// data in a folder that outlives the process.
    /// </summary>
    public static async Task<string> ConnectionStringAsync(this WebApplicationBuilder builder, StartupOutput output)
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

        return connectionString;
    }

    /// <summary>
    /// Marten over <paramref name="connectionString"/>, configured by <paramref name="configure"/> (see
    /// <c>Composition/Modules</c>), with appended events going through Wolverine's outbox in the same transaction.
    /// </summary>
    public static void AddEventStore(this WebApplicationBuilder builder, string connectionString, Action<StoreOptions> configure, bool databasePerOrganisation)
    {
        var applyChanges = builder.Configuration.GetValue("Database:ApplyChangesOnStartup", true);
        var marten = builder.Services.AddMarten(options =>
            {
                configure(options);
                if (!applyChanges)
                {
                    options.AutoCreateSchemaObjects = JasperFx.AutoCreate.None;
                }
            })
            .UseLightweightSessions()
            .IntegrateWithWolverine(x =>
            {
                x.UseFastEventForwarding = true;
                // Wolverine's node tables live in the shared database; each database also keeps its own envelopes.
                if (databasePerOrganisation)
                {
                    x.MainDatabaseConnectionString = Connections.Tuned(connectionString);
                }
            });
        if (applyChanges)
        {
            marten.ApplyAllDatabaseChangesOnStartup();
        }
    }

    /// <summary>
    /// The store's own conventions, before any room adds its events and views.
    /// </summary>
    public static StoreOptions UseEventStore(this StoreOptions options, string connectionString)
    {
        options.Connection(Connections.Tuned(connectionString));
        options.DatabaseSchemaName = Schema;
        // Permanent: stored events are read back with this casing forever.
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        options.Events.TenancyStyle = TenancyStyle.Conjoined;
        options.Policies.AllDocumentsAreMultiTenanted();
        options.Events.MetadataConfig.EnableAll();
        // Rebuilds write each view's rows with COPY where a page is pure inserts (see RebuildInBulk).
        options.Projections.RebuildWithBulkCopy = true;
        return options;
    }

    /// <summary>
    /// A least-privilege deployment applies the schema as its owner (db-apply) and runs the service as a role
    /// that may not change it: see <see cref="ServiceRoleFeature"/>. After the tables it grants on.
    /// </summary>
    public static StoreOptions AddServiceRole(this StoreOptions options, string? serviceRole)
    {
        if (serviceRole is not null)
        {
            options.Storage.Add(new ServiceRoleFeature(options, ServiceRoleFeature.Checked(serviceRole)));
        }

        return options;
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
