using JennysStory;

namespace LearningSystem.Tests.Samples;

/// <summary>The sample in samples/JennysStory must keep working against the real service.</summary>
[Collection(ServiceGroup.Name)]
public sealed class JennysStorySample(ServiceFixture service)
{
    [Fact]
    public async Task Jennys_story_plays_to_a_redesign_that_cites_patient_feedback()
    {
        using var client = service.Host.Server.CreateClient();
        using var narration = new StringWriter();

        var view = await Story.PlayAsync(client, narration);

        Assert.Equal("Jenny", view.GetProperty("proposedBy").GetProperty("displayName").GetString());
        Assert.Equal("student", view.GetProperty("proposedBy").GetProperty("stakeholderGroup").GetString());
        Assert.Equal("poor", Assert.Single(view.GetProperty("evidence").EnumerateArray()).GetProperty("rating").GetString());
        Assert.Contains("Jenny proposed service redesign", narration.ToString(), StringComparison.Ordinal);
    }
}
