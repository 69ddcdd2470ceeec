using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using LearningSystem.Storage;

namespace LearningSystem.Tests.Storage;

/// <summary>The store's connections keep plpgsql's plans and prepare repeated statements, unless configured otherwise.</summary>
[Collection(ServiceGroup.Name)]
public sealed class TuningConnections(ServiceFixture service)
{
    [Fact]
    public async Task The_service_store_keeps_plans_and_prepares_statements()
    {
        await using var session = service.Host.Services.GetRequiredService<IDocumentStore>().QuerySession("local");
        await session.QueryAsync<int>("select 1");
        var used = new NpgsqlConnectionStringBuilder(session.Connection!.ConnectionString);

        Assert.True(used.NoResetOnClose);
        Assert.Equal(50, used.MaxAutoPrepare);
    }

    [Theory]
    [InlineData("Host=db;Database=learningsystem;No Reset On Close=false;Max Auto Prepare=0")]
    [InlineData("Host=db;Database=learningsystem;NoResetOnClose=false;MaxAutoPrepare=0")]
    public void A_connection_string_that_sets_either_keeps_its_own(string configured)
    {
        var used = new NpgsqlConnectionStringBuilder(Connections.Tuned(configured));

        Assert.False(used.NoResetOnClose);
        Assert.Equal(0, used.MaxAutoPrepare);
    }
}
