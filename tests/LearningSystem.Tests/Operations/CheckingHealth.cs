using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LearningSystem.Tests.Operations;

/// <summary>Orchestrators probe the service without credentials.</summary>
[Collection(ServiceGroup.Name)]
public sealed class CheckingHealth(ServiceFixture service)
{
    [Fact]
    public async Task Live_answers_and_ready_reports_the_event_store_and_the_daemon()
    {
        await service.Host.CreateAsync("/api/participants", Requests.Jenny);
        using var anonymous = service.ClientFor(null);

        using var live = await anonymous.GetAsync(new Uri("/health/live", UriKind.Relative));
        var ready = await anonymous.GetFromJsonAsync<JsonElement>("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("healthy", ready.GetProperty("status").GetString());
        var store = ready.GetProperty("checks").GetProperty("eventStore");
        Assert.True(store.GetProperty("data").GetProperty("highestSequence").GetInt64() > 0);
        Assert.StartsWith("not running", store.GetProperty("data").GetProperty("daemon").GetString(), StringComparison.Ordinal);
    }
}
