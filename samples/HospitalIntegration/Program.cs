using HospitalIntegration;

// A ward kiosk's integration: record a patient's feedback (safe to retry), read it back, and listen for decisions.
// dotnet run --project samples/HospitalIntegration -- [base address] [api key] [organisation]
var baseAddress = new Uri(args.Length > 0 ? args[0] : "http://localhost:5080");
using var http = new HttpClient { BaseAddress = baseAddress };
var client = new LearningSystemClient(http, args.Length > 1 ? args[1] : "local-development-key", args.Length > 2 ? args[2] : null);

var key = Guid.NewGuid().ToString();
var feedback = new FeedbackToRecord("Outpatient Diabetes Clinic", "ward-survey-kiosk", DateTimeOffset.UtcNow, "poor",
    "I waited two hours and nobody told me why.", "kiosk-7f3a", ["serviceImprovement"]);
var recorded = await client.RecordFeedbackAsync(feedback, key);
var retried = await client.RecordFeedbackAsync(feedback, key); // a retry after a lost answer: the same feedback, not a second one
Console.WriteLine($"Recorded feedback {recorded.Id} (retry answered {retried.Id}).");
Console.WriteLine($"It reads: {(await client.GetFeedbackAsync(recorded.Id)).Comment}");

var subscription = await client.SubscribeAsync(new Uri("https://epr.example.org/hooks"), ["decision-made", "feedback-answered"]);
Console.WriteLine($"Subscribed {subscription.Id}; keep the secret to check signatures with LearningSystemClient.IsGenuine.");
