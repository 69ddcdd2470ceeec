using Alba;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wolverine;

namespace LearningSystem.Tests;

/// <summary>The service in memory, on its own database in the test cluster. One per xunit collection.</summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    private IAlbaHost? _host;

    public IAlbaHost Host => _host ?? throw new InvalidOperationException("The service did not start.");
    public TestClock Clock { get; } = new();
    public const string MasterKeyId = "test-1";
    public byte[] MasterKey { get; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
    public System.Security.Cryptography.ECDsa SigningKey { get; } = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        ConnectionString = await TestDatabase.AcquireAsync("service");
        JasperFxEnvironment.AutoStartHost = true;
        _host = await AlbaHost.For<Program>(web =>
        {
            web.UseSetting("ConnectionStrings:LearningSystem", ConnectionString);
            web.UseSetting($"PersonalData:MasterKeys:{MasterKeyId}", Convert.ToBase64String(MasterKey));
            web.UseSetting("PersonalData:ActiveMasterKey", MasterKeyId);
            web.UseSetting("Audit:SigningKey", SigningKey.ExportECPrivateKeyPem());
            web.UseSetting("Audit:CheckpointSettleSeconds", "0");
            web.UseSetting("Audit:CheckpointMinutes", "0");
            web.ConfigureServices(services =>
            {
                services.RunWolverineInSoloMode();
                services.DisableAllExternalWolverineTransports();
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Clock);
            });
        });
        await _host.ResetAllMartenDataAsync();
    }

    /// <summary>Every event in the database, across organisations: what a refused command must leave unchanged.</summary>
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
    }
}

[CollectionDefinition(Name)]
public sealed class ServiceGroup : ICollectionFixture<ServiceFixture>
{
    public const string Name = "service";
}
