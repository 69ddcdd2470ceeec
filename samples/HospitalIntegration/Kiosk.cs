namespace HospitalIntegration;

/// <summary>The sample's run: what a ward kiosk does, and one clear line (exit code 1) when the service says no.</summary>
public static class Kiosk
{
    public static async Task<int> RunAsync(HttpClient http, string apiKey, string? organisation, TextWriter output, TextWriter errors, DateTimeOffset? now = null)
    {
        var client = new LearningSystemClient(http, apiKey, organisation);
        try
        {
            var key = Guid.NewGuid().ToString();
            var feedback = new FeedbackToRecord("Outpatient Diabetes Clinic", "ward-survey-kiosk", now ?? DateTimeOffset.UtcNow, "poor",
                "I waited two hours and nobody told me why.", "kiosk-7f3a", ["serviceImprovement"]);
            var recorded = await client.RecordFeedbackAsync(feedback, key);
            var retried = await client.RecordFeedbackAsync(feedback, key); // a retry after a lost answer: the same feedback, not a second one
            await output.WriteLineAsync($"Recorded feedback {recorded.Id} (retry answered {retried.Id}).");
            await output.WriteLineAsync($"It reads: {(await client.GetFeedbackAsync(recorded.Id)).Comment}");

            var subscription = await client.SubscribeAsync(new Uri("https://epr.example.org/hooks"), ["decision-made", "feedback-answered"]);
            await output.WriteLineAsync($"Subscribed {subscription.Id}; keep the secret to check signatures with LearningSystemClient.IsGenuine.");
            return 0;
        }
        catch (LearningSystemProblem problem)
        {
            await errors.WriteLineAsync($"LearningSystem refused: {problem.Message}");
            return 1;
        }
        catch (HttpRequestException unreachable)
        {
            await errors.WriteLineAsync($"LearningSystem could not be reached at {http.BaseAddress}: {unreachable.Message}");
            return 1;
        }
    }
}
