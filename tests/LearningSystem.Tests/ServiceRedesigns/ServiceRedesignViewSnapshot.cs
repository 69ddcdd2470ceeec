using Alba;
using Newtonsoft.Json.Linq;
using Snapshooter.Xunit;

namespace LearningSystem.Tests.ServiceRedesigns;

[Collection(ServiceGroup.Name)]
public sealed class ServiceRedesignViewSnapshot(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    [Fact]
    public async Task The_redesign_view_as_integrators_see_it()
    {
        service.Clock.Now = TestClock.Start;
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny);
        var first = await Host.CreateAsync("/api/patient-feedback", Requests.Feedback("I waited two hours and nobody told me why."));
        var second = await Host.CreateAsync("/api/patient-feedback", Requests.Feedback("The staff were kind, but the board said nothing."));
        var redesign = await Host.CreateAsync("/api/service-redesigns", Requests.Redesign(jenny, second, first));

        var result = await Host.Scenario(s => s.Get.Url($"/api/service-redesigns/{redesign}"));
        var json = (await result.ReadAsTextAsync())
            .Replace(redesign.ToString(), "<redesign>", StringComparison.Ordinal)
            .Replace(jenny.ToString(), "<jenny>", StringComparison.Ordinal)
            .Replace(first.ToString(), "<first feedback>", StringComparison.Ordinal)
            .Replace(second.ToString(), "<second feedback>", StringComparison.Ordinal);

        Snapshot.Match(JToken.Parse(json), "service-redesign-view");
    }
}
