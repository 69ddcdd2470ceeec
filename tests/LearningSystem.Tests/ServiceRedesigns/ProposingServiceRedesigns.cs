using Alba;

namespace LearningSystem.Tests.ServiceRedesigns;

[Collection(ServiceGroup.Name)]
public sealed class ProposingServiceRedesigns(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    [Fact]
    public async Task The_redesign_view_shows_the_proposer_and_the_evidence()
    {
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny);
        var feedback = await Host.CreateAsync("/api/patient-feedback", Requests.Feedback());
        var redesign = await Host.CreateAsync("/api/service-redesigns", Requests.Redesign(jenny, feedback));

        var view = await Host.GetJsonAsync($"/api/service-redesigns/{redesign}");

        Assert.Equal("Tell waiting patients about delays", view.GetProperty("title").GetString());
        var proposer = view.GetProperty("proposedBy");
        Assert.Equal(jenny, proposer.GetProperty("id").GetGuid());
        Assert.Equal("Jenny", proposer.GetProperty("displayName").GetString());
        Assert.Equal("student", proposer.GetProperty("stakeholderGroup").GetString());
        var evidence = Assert.Single(view.GetProperty("evidence").EnumerateArray());
        Assert.Equal(feedback, evidence.GetProperty("id").GetGuid());
        Assert.Equal("poor", evidence.GetProperty("rating").GetString());
    }

    [Fact]
    public async Task A_redesign_needs_no_evidence()
    {
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny);
        var redesign = await Host.CreateAsync("/api/service-redesigns", Requests.Redesign(jenny));

        var view = await Host.GetJsonAsync($"/api/service-redesigns/{redesign}");

        Assert.Empty(view.GetProperty("evidence").EnumerateArray());
    }

    [Fact]
    public async Task An_unknown_proposer_is_a_404_problem_naming_the_field()
    {
        var problem = await Host.Scenario(s =>
        {
            s.Post.Json(Requests.Redesign(Guid.NewGuid())).ToUrl("/api/service-redesigns");
            s.StatusCodeShouldBe(404);
            s.ContentTypeShouldBe("application/problem+json");
        });

        Assert.Contains("proposedBy", await problem.ReadAsTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_evidence_is_a_404_problem_naming_the_missing_feedback()
    {
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny);
        var known = await Host.CreateAsync("/api/patient-feedback", Requests.Feedback());
        var unknown = Guid.NewGuid();

        var problem = await Host.Scenario(s =>
        {
            s.Post.Json(Requests.Redesign(jenny, known, unknown)).ToUrl("/api/service-redesigns");
            s.StatusCodeShouldBe(404);
        });

        var text = await problem.ReadAsTextAsync();
        Assert.Contains(unknown.ToString(), text, StringComparison.Ordinal);
        Assert.DoesNotContain(known.ToString(), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_from_another_organisation_is_not_evidence_here()
    {
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny, organisation: "st-elsewhere");
        var theirs = await Host.CreateAsync("/api/patient-feedback", Requests.Feedback(), organisation: "other-trust");

        await Host.Scenario(s =>
        {
            s.Post.Json(Requests.Redesign(jenny, theirs)).ToUrl("/api/service-redesigns");
            s.WithRequestHeader("X-Organisation", "st-elsewhere");
            s.StatusCodeShouldBe(404);
        });
    }
}
