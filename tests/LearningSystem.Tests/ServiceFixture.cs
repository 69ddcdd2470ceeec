using Alba;
using JasperFx.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wolverine;

namespace LearningSystem.Tests;

/// <summary>The service in memory, on its own database in the test cluster. One per xunit collection.</summary>
public class ServiceFixture : IAsyncLifetime
{
    private IAlbaHost? _host;

    public IAlbaHost Host => _host ?? throw new InvalidOperationException("The service did not start.");
    public TestClock Clock { get; } = new();
    public const string MasterKeyId = "test-1";
    public byte[] MasterKey { get; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
    public System.Security.Cryptography.ECDsa SigningKey { get; } = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
    public string ConnectionString { get; private set; } = "";

    /// <summary>Where the service sends its traces, metrics and logs over OTLP, as a collector would receive them.</summary>
    public Receiver Collector { get; } = new();

    /// <summary>The client every scenario signs in as unless it says otherwise: every scope, every organisation.</summary>
    public const string TestsKey = "tests-key";

    /// <summary>Integrating clients as a deployment would configure them; their keys are the client's name with "-key".</summary>
    public static IReadOnlyList<(string Id, string[] Scopes, string[] Organisations, int? RequestsPerMinute)> Clients { get; } =
    [
        ("tests", [.. LearningSystem.Access.Scopes.All], ["*"], null),
        ("outpatients-portal", [.. LearningSystem.Access.Scopes.All], ["*"], null),
        ("ward-kiosk", ["feedback:write"], ["st-marys"], null),
        ("research-office", ["read", "analytics:read"], ["st-marys", "general-hospital"], null),
        ("general-hospital-epr", [.. LearningSystem.Access.Scopes.All], ["general-hospital"], null),
        ("throttled", ["read"], ["*"], 3),
        // The OpenAPI fuzz sends thousands of requests a minute.
        ("fuzzer", [.. LearningSystem.Access.Scopes.All], ["*"], 10_000_000),
    ];

    public static string KeyOf(string client) => $"{client}-key";

    /// <summary>The shared secret the test issuer signs bearer tokens with.</summary>
    public byte[] TokenSigningKey { get; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
    public const string TokenIssuer = "https://issuer.test";
    public const int RequestTimeoutSeconds = 8;
    public const string TokenAudience = "learningsystem";

    /// <summary>The database this host gets in the test cluster; each fixture has its own.</summary>
    protected virtual string DatabaseName => "service";

    /// <summary>Connection settings a fixture adds to its database's connection string.</summary>
    protected virtual string Tune(string connectionString) => connectionString;

    public async Task InitializeAsync()
    {
        ConnectionString = Tune(await TestDatabase.AcquireAsync(DatabaseName));
        // A database left by an earlier run starts empty. Its events are append-only, even to Marten's reset, so
        // the whole schema goes, and the host makes it again.
        await using (var connection = new Npgsql.NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"drop schema if exists {LearningSystem.Storage.EventStore.Schema} cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }

        JasperFxEnvironment.AutoStartHost = true;
        await Collector.StartAsync();
        _host = await AlbaHost.For<Program>(web =>
        {
            web.UseSetting("ConnectionStrings:LearningSystem", ConnectionString);
            web.UseSetting($"PersonalData:MasterKeys:{MasterKeyId}", Convert.ToBase64String(MasterKey));
            web.UseSetting("PersonalData:ActiveMasterKey", MasterKeyId);
            web.UseSetting("Audit:SigningKey", SigningKey.ExportECPrivateKeyPem());
            web.UseSetting("Audit:CheckpointSettleSeconds", "0");
            web.UseSetting("Audit:CheckpointMinutes", "0");
            foreach (var (id, scopes, organisations, limit) in Clients)
            {
                web.UseSetting($"Clients:{id}:KeyHash", LearningSystem.Access.ApiClientRegistry.Hash(KeyOf(id)));
                for (var i = 0; i < scopes.Length; i++)
                {
                    web.UseSetting($"Clients:{id}:Scopes:{i}", scopes[i]);
                }

                for (var i = 0; i < organisations.Length; i++)
                {
                    web.UseSetting($"Clients:{id}:Organisations:{i}", organisations[i]);
                }

                if (limit is { } perMinute)
                {
                    web.UseSetting($"Clients:{id}:RequestsPerMinute", perMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            web.UseSetting("Limits:RequestTimeoutSeconds", RequestTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            web.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", Collector.Address.ToString().TrimEnd('/'));
            web.UseSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
            web.UseSetting("OTEL_BSP_SCHEDULE_DELAY", "200");
            web.UseSetting("OTEL_BLRP_SCHEDULE_DELAY", "200");
            web.UseSetting("OTEL_METRIC_EXPORT_INTERVAL", "500");
            // Webhook retries a second or two apart, so that a receiver coming back is seen within a test.
            for (var i = 0; i < 20; i++)
            {
                web.UseSetting($"Webhooks:RetryDelaysSeconds:{i}", i < 10 ? "1" : "2");
            }

            // The tests' receivers, allowed by network as a hospital allows its own.
            web.UseSetting("Webhooks:AllowedHosts:0", $"{Receiver.WebhookHost}/32");
            web.UseSetting("Authentication:Jwt:Issuer", TokenIssuer);
            web.UseSetting("Authentication:Jwt:Audience", TokenAudience);
            web.UseSetting("Authentication:Jwt:SigningKey", Convert.ToBase64String(TokenSigningKey));
            web.ConfigureServices(services =>
            {
                services.RunWolverineInSoloMode();
                services.DisableAllExternalWolverineTransports();
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Clock);
            });
        });
        // Scenarios sign in as the tests' client unless they present credentials of their own.
        _host.BeforeEach(context =>
        {
            if (!context.Request.Headers.ContainsKey("X-Api-Key") && !context.Request.Headers.ContainsKey("Authorization"))
            {
                context.Request.Headers["X-Api-Key"] = KeyOf("tests");
            }
        });
    }

    /// <summary>Every event in the database, across organisations: what a refused command must leave unchanged.</summary>
    /// <summary>An HTTP client on the in-memory service, signed in as <paramref name="client"/> (none: no credentials).</summary>
    public HttpClient ClientFor(string? client = "tests", string? organisation = null)
    {
        var http = Host.Server.CreateClient();
        if (client is not null)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", KeyOf(client));
        }

        if (organisation is not null)
        {
            http.DefaultRequestHeaders.Add("X-Organisation", organisation);
        }

        return http;
    }

    public async Task<long> EventCountAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("select count(*) from learningsystem.mt_events", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public async Task DisposeAsync()
    {
        // A host that never started (PostgreSQL down, say) must not hide the real error.
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await TestDatabase.ReleaseAsync();
        await Collector.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ServiceGroup : ICollectionFixture<ServiceFixture>
{
    public const string Name = "service";
}
