using JennysStory;

namespace LearningSystem.Tests;

public static class Stories
{
    /// <summary>
    /// Plays Jenny's story in an organisation of its own, so that everything there is the story's and nothing
    /// another scenario wrote; through the tests' client or another configured one.
    /// </summary>
    public static async Task<(StoryOutcome Outcome, string Organisation)> PlayJennysStoryAsync(
        this ServiceFixture service, string prefix, string? client = null, string? organisation = null)
    {
        organisation ??= NewOrganisation(prefix);
        service.Clock.Now = TestClock.Start;
        using var http = service.ClientFor(client ?? "tests", organisation);

        return (await Story.PlayAsync(http, TextWriter.Null), organisation);
    }

    public static string NewOrganisation(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..30];
}
