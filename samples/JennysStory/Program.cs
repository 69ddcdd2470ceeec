using JennysStory;

// Plays Jenny's story against a running LearningSystem (default http://localhost:5080), signed in with the
// given key (default: the local development key the service accepts when no clients are configured).
var baseAddress = new Uri(args.Length > 0 ? args[0] : "http://localhost:5080");
using var client = new HttpClient { BaseAddress = baseAddress };
client.DefaultRequestHeaders.Add("X-Api-Key", args.Length > 1 ? args[1] : "local-development-key");
var outcome = await Story.PlayAsync(client, Console.Out);
Console.WriteLine($"See {baseAddress}api/rounds/{outcome.Round}/results, /balance and /timeline, and {baseAddress}api/priorities/{outcome.AgreedPriority}/provenance.");
Console.WriteLine($"The loop from the first feedback: {baseAddress}api/lineage/{outcome.FirstFeedback}");
Console.WriteLine($"The co-taught module and its reflections: {baseAddress}api/curriculum-changes/{outcome.CurriculumChange}/reflections");
