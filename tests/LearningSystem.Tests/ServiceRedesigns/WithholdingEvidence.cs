using System.Net.Http.Json;
using System.Text.Json;
using Alba;

namespace LearningSystem.Tests.ServiceRedesigns;

/// <summary>A redesign's evidence shows what its patients wrote only to a client that may read feedback, as every feedback read does.</summary>
[Collection(ServiceGroup.Name)]
public sealed class WithholdingEvidence(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    [Fact]
    public async Task What_the_evidences_patients_wrote_reads_withheld_without_feedback_read()
    {
        const string organisation = "st-marys";
        const string comment = "I waited two hours and nobody told me why.";
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny, organisation);
        var feedback = await Host.CreateAsync("/api/patient-feedback", Requests.Feedback(comment), organisation);
        var redesign = await Host.CreateAsync("/api/service-redesigns", Requests.Redesign(jenny, feedback), organisation);

        var full = await Host.GetJsonAsync($"/api/service-redesigns/{redesign}", organisation: organisation);
        Assert.Equal(comment, full.GetProperty("evidence")[0].GetProperty("comment").GetString());

        using var office = service.ClientFor("research-office", organisation);
        var read = await office.GetFromJsonAsync<JsonElement>(new Uri($"/api/service-redesigns/{redesign}", UriKind.Relative));
        var evidence = Assert.Single(read.GetProperty("evidence").EnumerateArray());
        Assert.Equal("[withheld]", evidence.GetProperty("comment").GetString());
        Assert.Equal(feedback, evidence.GetProperty("id").GetGuid());
        Assert.Equal("poor", evidence.GetProperty("rating").GetString());
        Assert.DoesNotContain(comment, read.ToString(), StringComparison.Ordinal);
    }
}
