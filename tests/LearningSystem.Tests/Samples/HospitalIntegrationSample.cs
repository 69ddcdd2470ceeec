using System.Text.Json;
using System.Text.RegularExpressions;
using HospitalIntegration;

namespace LearningSystem.Tests.Samples;

/// <summary>The typed client in samples/HospitalIntegration and the .http files in samples/http, against the real service.</summary>
[Collection(ServiceGroup.Name)]
public sealed partial class HospitalIntegrationSample(ServiceFixture service)
{
    private static FeedbackToRecord Feedback => new("Outpatient Diabetes Clinic", "ward-survey-kiosk", TestClock.Start, "poor",
        "I waited two hours and nobody told me why.", $"kiosk-{Guid.NewGuid():N}", ["serviceImprovement"]);

    [Fact]
    public async Task The_typed_client_records_retries_reads_answers_and_subscribes()
    {
        var organisation = Stories.NewOrganisation("hospital");
        var client = new LearningSystemClient(service.Host.Server.CreateClient(), ServiceFixture.KeyOf("tests"), organisation);
        var before = await service.EventCountAsync();
        var key = Guid.NewGuid().ToString();

        var recorded = await client.RecordFeedbackAsync(Feedback with { PatientRef = "kiosk-7f3a" }, key);
        var retried = await client.RecordFeedbackAsync(Feedback with { PatientRef = "kiosk-7f3a" }, key);
        var nurse = await client.RegisterParticipantAsync(new ParticipantToRegister("Sister Okafor", "nurse", "Clinic nurse"));
        await client.RespondToFeedbackAsync(recorded.Id, new FeedbackResponseToRecord(nurse.Id, "We will text you when the clinic runs late.", "acknowledged"));
        var read = await client.GetFeedbackAsync(recorded.Id);
        var subscription = await client.SubscribeAsync(new Uri("https://epr.example.org/hooks"), ["feedback-answered"]);

        Assert.Equal(recorded.Id, retried.Id);
        Assert.Equal("I waited two hours and nobody told me why.", read.Comment);
        Assert.Equal(nurse.Id, Assert.Single(read.Responses).By);
        Assert.Equal(before + 3, await service.EventCountAsync());
        Assert.False(string.IsNullOrEmpty(subscription.Secret));
        Assert.True(LearningSystemClient.IsGenuine(subscription.Secret, "1700000000", "{}", LearningSystem.Notifications.WebhookSignature.Sign(subscription.Secret, 1700000000, "{}")));
        Assert.False(LearningSystemClient.IsGenuine(subscription.Secret, "1700000000", "{ }", LearningSystem.Notifications.WebhookSignature.Sign(subscription.Secret, 1700000000, "{}")));
    }

    [Fact]
    public async Task Problems_become_typed_exceptions()
    {
        var kiosk = new LearningSystemClient(service.Host.Server.CreateClient(), ServiceFixture.KeyOf("ward-kiosk"));
        var recorded = await kiosk.RecordFeedbackAsync(Feedback);

        var forbidden = await Assert.ThrowsAsync<LearningSystemProblem>(() => kiosk.GetFeedbackAsync(recorded.Id));
        var invalid = await Assert.ThrowsAsync<LearningSystemProblem>(() => kiosk.RecordFeedbackAsync(Feedback with { Rating = "awful" }));

        Assert.Equal(403, forbidden.Status);
        Assert.Contains("feedback:read", forbidden.Detail, StringComparison.Ordinal);
        Assert.Equal(400, invalid.Status);
        Assert.Contains("rating", invalid.Errors.Keys);
    }

    [Fact]
    public async Task The_sample_run_ends_in_one_clear_line_when_the_service_says_no()
    {
        var output = new StringWriter();
        var errors = new StringWriter();

        var unknownKey = await Kiosk.RunAsync(service.Host.Server.CreateClient(), "not-a-key", null, output, errors);

        Assert.Equal(1, unknownKey);
        var line = Assert.Single(errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("LearningSystem refused: 401 ", line, StringComparison.Ordinal);
        Assert.Empty(output.ToString());

        var fine = await Kiosk.RunAsync(service.Host.Server.CreateClient(), ServiceFixture.KeyOf("tests"), Stories.NewOrganisation("kiosk"), output, errors, TestClock.Start);
        Assert.True(fine == 0, errors.ToString());
        Assert.Contains("Recorded feedback", output.ToString(), StringComparison.Ordinal);

        // A 400 names each field's errors, not an empty detail.
        var client = new LearningSystemClient(service.Host.Server.CreateClient(), ServiceFixture.KeyOf("tests"), Stories.NewOrganisation("kiosk"));
        var invalid = await Assert.ThrowsAsync<LearningSystemProblem>(() => client.RecordFeedbackAsync(Feedback with { Rating = "awful" }));
        Assert.Matches(@"^400 .+'awful' is not one of", invalid.Message);
        Assert.DoesNotContain("\n", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_endpoint_has_a_request_in_the_http_files_and_every_body_is_json()
    {
        var folder = Path.Combine(Repository.Root, "samples", "http");
        var requests = Directory.GetFiles(folder, "*.http").SelectMany(f => Request().Matches(File.ReadAllText(f)))
            .Select(m => (Method: m.Groups["method"].Value.ToLowerInvariant(), Path: Variable().Replace(m.Groups["path"].Value.Split('?')[0], "{}"), Body: m.Groups["body"].Value.Trim()))
            .ToArray();
        var document = await service.Host.GetJsonAsync("/openapi/v1.json");
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Method: o.Name, Path: Parameter().Replace(p.Name, "{}")))).ToArray();

        Assert.All(operations, o => Assert.Contains(requests, r => r.Method == o.Method && r.Path == o.Path));
        // A placeholder outside quotes stands for a JSON value an earlier answer gives.
        Assert.All(requests.Where(r => r.Body.Length > 0), r => JsonDocument.Parse(BarePlaceholder().Replace(r.Body, "null")).Dispose());
    }

    public static TheoryData<string> HttpFileNames() => [.. Directory.GetFiles(Path.Combine(Repository.Root, "samples", "http"), "*.http").Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(HttpFileNames))]
    public async Task Each_http_file_runs_top_to_bottom_against_the_service_with_the_answers_it_expects(string file)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "samples", "http", file));
        // Every exchange is also checked against the document: the request body and the answer for its status.
        var (json, _) = await service.Host.GetTextAsync("/openapi/v1.json");
        var mismatches = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var http = new HttpClient(new Contract.ClientContract.Checking(await NSwag.OpenApiDocument.FromJsonAsync(json), new(), mismatches)
        {
            InnerHandler = service.Host.Server.CreateHandler(),
        }) { BaseAddress = new Uri("http://localhost/") };
        var overrides = new Dictionary<string, string>
        {
            ["host"] = "http://localhost", ["key"] = ServiceFixture.KeyOf("tests"), ["organisation"] = Stories.NewOrganisation(Path.GetFileNameWithoutExtension(file)),
        };

        var outcomes = await HttpFiles.RunAsync(text, http, overrides);

        Assert.True(outcomes.All(o => o.AsExpected), string.Join("\n", outcomes.Where(o => !o.AsExpected).Select(o => $"{o.Request}: {o.Status} {o.Answer}")));
        Assert.Equal(text.Split("\n###").Length - 1, outcomes.Count);
        Assert.True(mismatches.IsEmpty, string.Join("\n", mismatches));
    }

    [Fact]
    public async Task The_http_file_runner_can_fail()
    {
        using var http = service.Host.Server.CreateClient();
        var outcomes = await HttpFiles.RunAsync("""
            @host = http://localhost
            ### getParticipant
            GET {{host}}/api/participants/{{$guid}}
            X-Api-Key: {{key}}

            ### registerParticipant
            # @expect 201
            POST {{host}}/api/participants
            X-Api-Key: {{key}}
            Content-Type: application/json

            {"displayName": "Jenny"}
            """, http, new Dictionary<string, string> { ["key"] = ServiceFixture.KeyOf("tests") });

        Assert.Equal([(404, false), (400, false)], outcomes.Select(o => (o.Status, o.AsExpected)));
    }

    [GeneratedRegex(@"^(?<method>GET|POST|PUT|DELETE|PATCH) \{\{host\}\}(?<path>\S+)\r?\n(?:[\w-]+: .*\r?\n)*(?:\r?\n(?<body>[\{\[][\s\S]*?)(?=\r?\n###|\z))?", RegexOptions.Multiline)]
    private static partial Regex Request();

    [GeneratedRegex(@"(?<!"")\{\{[^}]+\}\}(?!"")")]
    private static partial Regex BarePlaceholder();

    [GeneratedRegex(@"\{\{[^}]+\}\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\{\w+\}")]
    private static partial Regex Parameter();
}
