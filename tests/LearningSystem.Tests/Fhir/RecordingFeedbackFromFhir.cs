using System.Net;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using LearningSystem.Fhir;
using Task = System.Threading.Tasks.Task;

namespace LearningSystem.Tests.Fhir;

/// <summary>
/// A hospital system records patient feedback with no code of ours: Firely's FhirClient, the library .NET
/// integrators use, sends QuestionnaireResponses; every answer is valid FHIR to Firely's validator.
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed class RecordingFeedbackFromFhir(ServiceFixture service)
{
    private const string Kiosk = "https://trust.example.org/kiosks";

    private (FhirClient Client, HttpClient Http, string Organisation) Connect(string prefix)
    {
        var organisation = Stories.NewOrganisation(prefix);
        var http = service.Host.Server.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", ServiceFixture.KeyOf("tests"));
        http.DefaultRequestHeaders.Add("X-Organisation", organisation);
        var client = new FhirClient("http://localhost/fhir", http, new FhirClientSettings
        {
            PreferredFormat = ResourceFormat.Json, ReturnPreference = ReturnPreference.Minimal, VerifyFhirVersion = true,
        });
        return (client, http, organisation);
    }

    private static QuestionnaireResponse JennysFeedback(string comment, string? identifier = null) => new()
    {
        Identifier = identifier is null ? null : new Identifier(Kiosk, identifier),
        Questionnaire = PatientFeedbackQuestionnaire.Url,
        Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
        Subject = new ResourceReference { Type = "Patient", Identifier = new Identifier("https://trust.example.org/mrn", "kiosk-7f3a") },
        Authored = "2026-11-18T09:30:00Z",
        Source = new ResourceReference { Display = "ward-survey-kiosk" },
        Item =
        [
            Answer(PatientFeedbackQuestionnaire.Service, new FhirString("Outpatient Diabetes Clinic")),
            Answer(PatientFeedbackQuestionnaire.Rating, new Coding(PatientFeedbackQuestionnaire.RatingSystem, "poor")),
            Answer(PatientFeedbackQuestionnaire.Comment, new FhirString(comment)),
            Answer(PatientFeedbackQuestionnaire.Consent, new Coding(PatientFeedbackQuestionnaire.ConsentSystem, "serviceImprovement")),
        ],
    };

    private static QuestionnaireResponse.ItemComponent Answer(string linkId, DataType value) =>
        new() { LinkId = linkId, Answer = [new QuestionnaireResponse.AnswerComponent { Value = value }] };

    [Fact]
    public async Task A_hospital_systems_fhir_client_records_jennys_feedback_and_reads_it_back_through_fhir_and_the_json_api()
    {
        var (client, http, _) = Connect("fhir-client");

        var capabilities = (await client.CapabilityStatementAsync())!;
        Assert.Contains(capabilities.Rest.Single().Resource, r => r.Type == "QuestionnaireResponse" && r.ConditionalCreate == true);
        var questionnaire = await client.ReadAsync<Questionnaire>("Questionnaire/patient-feedback");
        Assert.Equal(PatientFeedbackQuestionnaire.Url, questionnaire!.Url);

        await client.CreateAsync(JennysFeedback("I waited two hours and nobody told me why."));
        Assert.Equal("201", client.LastResult!.Status!.Split(' ')[0]);
        var location = client.LastResult.Location!;
        Assert.Matches("^/fhir/QuestionnaireResponse/[0-9a-f-]{36}$", location);

        var read = await client.ReadAsync<QuestionnaireResponse>(location);
        Assert.Equal("I waited two hours and nobody told me why.", read!.Item.Single(i => i.LinkId == PatientFeedbackQuestionnaire.Comment).Answer.Single().Value!.ToString());
        Assert.Equal("https://trust.example.org/mrn", read.Subject!.Identifier!.System);

        var id = location.Split('/')[^1];
        var json = JsonDocument.Parse(await http.GetStringAsync($"/api/patient-feedback/{id}")).RootElement;
        Assert.Equal(("Outpatient Diabetes Clinic", "ward-survey-kiosk", "poor", "I waited two hours and nobody told me why.", "https://trust.example.org/mrn|kiosk-7f3a"),
            (json.GetProperty("service").GetString(), json.GetProperty("source").GetString(), json.GetProperty("rating").GetString(),
                json.GetProperty("comment").GetString(), json.GetProperty("patientRef").GetString()));
        Assert.Equal(["serviceImprovement"], json.GetProperty("consent").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(DateTimeOffset.Parse("2026-11-18T09:30:00Z", System.Globalization.CultureInfo.InvariantCulture), json.GetProperty("receivedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Feedback_recorded_through_fhir_is_what_the_json_command_records_under_the_same_patients_key()
    {
        var (client, http, _) = Connect("fhir-same");
        await client.CreateAsync(JennysFeedback("Same words"));
        var fromFhir = client.LastResult!.Location!.Split('/')[^1];
        using var sent = await http.PostAsync("/api/patient-feedback", new StringContent(JsonSerializer.Serialize(new
        {
            service = "Outpatient Diabetes Clinic", source = "ward-survey-kiosk", receivedAt = "2026-11-18T09:30:00Z", rating = "poor",
            comment = "Same words", patientRef = "https://trust.example.org/mrn|kiosk-7f3a", consent = new[] { "serviceImprovement" },
        }), Encoding.UTF8, "application/json"));
        var fromJson = JsonDocument.Parse(await sent.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        string Comparable(string id)
        {
            var view = System.Text.Json.Nodes.JsonNode.Parse(http.GetStringAsync($"/api/patient-feedback/{id}").Result)!.AsObject();
            view.Remove("id");
            view.Remove("recordedAt");
            return view.ToJsonString();
        }

        // The same data subject (the patient's keyed hash), so an erasure of the patient erases both.
        Assert.Equal(Comparable(fromJson!), Comparable(fromFhir));
    }

    [Fact]
    public async Task A_conditional_create_sent_twice_records_the_feedback_once_and_answers_the_first()
    {
        var (client, http, _) = Connect("fhir-conditional");
        var identifier = $"response-{Guid.NewGuid():N}";
        var condition = new SearchParams().Add("identifier", $"{Kiosk}|{identifier}");

        await client.ConditionalCreateAsync(JennysFeedback("Once", identifier), condition);
        var first = client.LastResult!;
        await client.ConditionalCreateAsync(JennysFeedback("Once", identifier), condition);
        var second = client.LastResult!;

        Assert.Equal(("201", "200"), (first.Status!.Split(' ')[0], second.Status!.Split(' ')[0]));
        Assert.Equal(first.Location, second.Location);
        var ids = JsonDocument.Parse(await http.GetStringAsync("/api/patient-feedback?limit=1000")).RootElement.EnumerateArray()
            .Where(f => f.GetProperty("comment").GetString() == "Once").ToArray();
        Assert.Single(ids);
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_replays_the_first_answer()
    {
        var (_, http, _) = Connect("fhir-idempotent");
        var body = JennysFeedback("Kept once").ToJson();
        var key = Guid.NewGuid().ToString();

        async Task<HttpResponseMessage> SendAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/QuestionnaireResponse") { Content = new StringContent(body, Encoding.UTF8, FhirModule.MediaType) };
            request.Headers.Add("Idempotency-Key", key);
            return await http.SendAsync(request);
        }

        using var first = await SendAsync();
        using var again = await SendAsync();

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, again.StatusCode));
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_batch_bundle_records_each_entry_on_its_own_and_answers_each_with_its_status()
    {
        var (client, http, _) = Connect("fhir-batch");
        var identifier = $"batch-{Guid.NewGuid():N}";
        var broken = JennysFeedback("No rating");
        broken.Item.RemoveAll(i => i.LinkId == PatientFeedbackQuestionnaire.Rating);
        var batch = new TransactionBuilder(client.Endpoint, Bundle.BundleType.Batch)
            .Create(JennysFeedback("First of the batch"))
            .Create(broken)
            .ConditionalCreate(JennysFeedback("Once in the batch", identifier), new SearchParams().Add("identifier", $"{Kiosk}|{identifier}"))
            .ConditionalCreate(JennysFeedback("Once in the batch", identifier), new SearchParams().Add("identifier", $"{Kiosk}|{identifier}"))
            .ToBundle();

        var answer = (await client.TransactionAsync(batch))!;

        Assert.Equal(Bundle.BundleType.BatchResponse, answer.Type);
        Assert.Equal(["201", "400", "201", "200"], answer.Entry.Select(e => e.Response!.Status!.Split(' ')[0]));
        Assert.Equal("Bundle.entry[1].resource.item.where(linkId='rating').answer.value", answer.Entry[1].Response!.Outcome is OperationOutcome o ? o.Issue.Single().Expression.Single() : null);
        Assert.Equal(answer.Entry[2].Response!.Location, answer.Entry[3].Response!.Location);
        var first = await client.ReadAsync<QuestionnaireResponse>(answer.Entry[0].Response!.Location!);
        Assert.Equal("First of the batch", first!.Item.Single(i => i.LinkId == PatientFeedbackQuestionnaire.Comment).Answer.Single().Value!.ToString());
        Assert.Empty(Decisions.Fhir.Problems(Decisions.Fhir.Validator.Value.Validate(answer)));
        Assert.Single(JsonDocument.Parse(await http.GetStringAsync("/api/patient-feedback?limit=1000")).RootElement.EnumerateArray(),
            f => f.GetProperty("comment").GetString() == "Once in the batch");
    }

    [Fact]
    public async Task A_batch_answers_a_hostile_entry_on_its_own_and_stops_at_one_too_large_to_hold()
    {
        var (_, http, _) = Connect("fhir-hostile");
        var good = "{\"resource\":" + JennysFeedback("Before the hostile ones").ToJson() + ",\"request\":{\"method\":\"POST\",\"url\":\"QuestionnaireResponse\"}}";
        var huge = "{\"resource\":" + JennysFeedback(new string('x', 2 * 1024 * 1024)).ToJson() + "}";
        var body = "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[" + good + ",null,7," + huge + "," + good + "]}";

        using var answer = await http.PostAsync("/fhir", new StringContent(body, Encoding.UTF8, FhirModule.MediaType));
        var bundle = new FhirJsonDeserializer(new DeserializerSettings()).Deserialize<Bundle>(await answer.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(["201", "400", "400", "400"], bundle.Entry.Select(e => e.Response!.Status!.Split(' ')[0]));
        Assert.Equal(OperationOutcome.IssueType.TooLong, ((OperationOutcome)bundle.Entry[3].Response!.Outcome!).Issue.Single().Code);

        using var unnamed = await http.PostAsync("/fhir", new StringContent("{\"type\":\"batch\",\"entry\":[" + good + "]}", Encoding.UTF8, FhirModule.MediaType));
        Assert.Equal(HttpStatusCode.BadRequest, unnamed.StatusCode);
    }

    [Fact]
    public async Task A_transaction_bundle_is_refused_as_only_batch_is_supported()
    {
        var (_, http, _) = Connect("fhir-transaction");
        var transaction = new Bundle { Type = Bundle.BundleType.Transaction, Entry = [new Bundle.EntryComponent { Resource = JennysFeedback("All or nothing"), Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "QuestionnaireResponse" } }] };

        using var answer = await http.PostAsync("/fhir", new StringContent(transaction.ToJson(), Encoding.UTF8, FhirModule.MediaType));
        var outcome = new FhirJsonDeserializer(new DeserializerSettings()).Deserialize<OperationOutcome>(await answer.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal((OperationOutcome.IssueType.NotSupported, "Bundle.type"), (outcome.Issue.Single().Code!.Value, outcome.Issue.Single().Expression.Single()));
        Assert.Contains("Only a batch Bundle", outcome.Issue.Single().Details!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_batch_sent_in_chunks_is_read_and_answered_as_it_arrives_and_a_broken_tail_stops_it_where_it_breaks()
    {
        var (_, http, _) = Connect("fhir-stream");
        var entry = "{\"resource\":" + JennysFeedback("Streamed").ToJson() + ",\"request\":{\"method\":\"POST\",\"url\":\"QuestionnaireResponse\"}}";
        var body = "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[" + string.Join(",", Enumerable.Repeat(entry, 300)) + ",{\"resource\":{\"resourceType\":\"Questionn";

        // No length: the body arrives in chunks, and the reader must not wait for all of it.
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)), 1_000);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(FhirModule.MediaType);
        using var answer = await http.PostAsync("/fhir", content);
        var bundle = new FhirJsonDeserializer(new DeserializerSettings()).Deserialize<Bundle>(await answer.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(301, bundle.Entry.Count);
        Assert.All(bundle.Entry.Take(300), e => Assert.Equal("201 Created", e.Response!.Status));
        Assert.StartsWith("400", bundle.Entry[300].Response!.Status, StringComparison.Ordinal);
        Assert.Contains("Entries from 301 on were not read", ((OperationOutcome)bundle.Entry[300].Response!.Outcome!).Issue.Single().Details!.Text, StringComparison.Ordinal);
        Assert.Equal(300, JsonDocument.Parse(await http.GetStringAsync("/api/patient-feedback?limit=1000")).RootElement.GetArrayLength());
    }

    public static TheoryData<string, string, OperationOutcome.IssueType, string> BadResponses()
    {
        var good = JennysFeedback("Fine").ToJson();
        string Changed(Action<QuestionnaireResponse> change)
        {
            var response = JennysFeedback("Fine");
            change(response);
            return response.ToJson();
        }

        return new TheoryData<string, string, OperationOutcome.IssueType, string>
        {
            { "another resource type", new Patient { Id = "p1" }.ToJson(), OperationOutcome.IssueType.NotSupported, "resourceType" },
            { "an unknown questionnaire", Changed(r => r.Questionnaire = "urn:example:another"), OperationOutcome.IssueType.NotSupported, "QuestionnaireResponse.questionnaire" },
            { "no rating", Changed(r => r.Item.RemoveAll(i => i.LinkId == PatientFeedbackQuestionnaire.Rating)), OperationOutcome.IssueType.Required, "QuestionnaireResponse.item.where(linkId='rating').answer.value" },
            { "a rating not in the code system", Changed(r => r.Item.Single(i => i.LinkId == PatientFeedbackQuestionnaire.Rating).Answer[0].Value = new Coding(PatientFeedbackQuestionnaire.RatingSystem, "superb")), OperationOutcome.IssueType.Invalid, "QuestionnaireResponse.item.where(linkId='rating').answer.value" },
            { "two ratings", Changed(r => r.Item.Single(i => i.LinkId == PatientFeedbackQuestionnaire.Rating).Answer.Add(new QuestionnaireResponse.AnswerComponent { Value = new Coding(PatientFeedbackQuestionnaire.RatingSystem, "good") })), OperationOutcome.IssueType.Invalid, "QuestionnaireResponse.item.where(linkId='rating').answer.value" },
            { "a subject that is not a Patient", Changed(r => r.Subject = new ResourceReference("Practitioner/dr-lim")), OperationOutcome.IssueType.Invalid, "QuestionnaireResponse.subject" },
            { "malformed JSON", good[..^5], OperationOutcome.IssueType.Structure, "QuestionnaireResponse" },
            { "JSON nested 10,000 levels deep", $"{{\"resourceType\":\"QuestionnaireResponse\",\"contained\":{new string('[', 10_000)}{new string(']', 10_000)}}}", OperationOutcome.IssueType.Structure, "QuestionnaireResponse" },
            { "a NUL byte", Changed(r => r.Item.Single(i => i.LinkId == PatientFeedbackQuestionnaire.Comment).Answer[0].Value = new FhirString("Fine\0")), OperationOutcome.IssueType.Value, "QuestionnaireResponse.item.where(linkId='comment').answer.value" },
        };
    }

    [Theory]
    [MemberData(nameof(BadResponses))]
    public async Task Bad_input_is_answered_with_an_operation_outcome_naming_the_element_at_fault(string what, string body, OperationOutcome.IssueType code, string expression)
    {
        var (_, http, _) = Connect("fhir-bad");

        using var answer = await http.PostAsync("/fhir/QuestionnaireResponse", new StringContent(body, Encoding.UTF8, FhirModule.MediaType));
        var text = await answer.Content.ReadAsStringAsync();

        Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)answer.StatusCode} {text}");
        Assert.Equal(FhirModule.MediaType, answer.Content.Headers.ContentType!.MediaType);
        var outcome = new FhirJsonDeserializer(new DeserializerSettings()).Deserialize<OperationOutcome>(text);
        var issue = Assert.Single(outcome.Issue);
        Assert.Equal((OperationOutcome.IssueSeverity.Error, code, expression), (issue.Severity!.Value, issue.Code!.Value, issue.Expression.Single()));
        Assert.Empty(Decisions.Fhir.Problems(Decisions.Fhir.Validator.Value.Validate(outcome)));
    }

    [Fact]
    public async Task Every_fhir_answer_is_valid_to_firelys_validator()
    {
        var (client, http, _) = Connect("fhir-valid");
        var validator = Decisions.Fhir.Validator.Value;
        await client.CreateAsync(JennysFeedback("Valid"));
        var location = client.LastResult!.Location!;
        var deserializer = new FhirJsonDeserializer(new DeserializerSettings());

        foreach (var path in new[] { "/fhir/metadata", "/fhir/Questionnaire/patient-feedback", location, $"/fhir/QuestionnaireResponse/{Guid.NewGuid()}" })
        {
            using var answer = await http.GetAsync(path);
            var resource = deserializer.DeserializeResource(await answer.Content.ReadAsStringAsync());
            Assert.True(Decisions.Fhir.Problems(validator.Validate(resource)) is { Length: 0 } problems, $"{path}: {string.Join('\n', Decisions.Fhir.Problems(validator.Validate(resource)))}");
        }

        // The OperationOutcomes a create answers with, created and found recorded before.
        foreach (var expected in new[] { HttpStatusCode.Created, HttpStatusCode.OK })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/QuestionnaireResponse") { Content = new StringContent(JennysFeedback("Valid").ToJson(), Encoding.UTF8, FhirModule.MediaType) };
            request.Headers.Add("If-None-Exist", $"identifier={Kiosk}|valid-{location.Split('/')[^1]}");
            using var answer = await http.SendAsync(request);
            var outcome = deserializer.Deserialize<OperationOutcome>(await answer.Content.ReadAsStringAsync());
            Assert.Equal(expected, answer.StatusCode);
            Assert.Empty(Decisions.Fhir.Problems(validator.Validate(outcome)));
        }
    }

    [Fact]
    public void Every_fhir_example_in_the_docs_and_the_http_file_is_valid_to_firelys_validator()
    {
        var fromDocs = Samples.DocumentedCommands.Documented().Where(c => c.Path.StartsWith("/fhir", StringComparison.Ordinal) && c.Body is not null).Select(c => c.Body!);
        var fromHttpFile = File.ReadAllText(Path.Combine(Repository.Root, "samples", "http", "fhir.http")).Split("\n###")
            .Where(b => b.Contains("{{host}}/fhir", StringComparison.Ordinal) && b.Contains("\n{", StringComparison.Ordinal))
            .Select(b => b[b.IndexOf("\n{", StringComparison.Ordinal)..].Trim());
        var examples = fromDocs.Concat(fromHttpFile).ToArray();
        var deserializer = new FhirJsonDeserializer(new DeserializerSettings());

        Assert.True(examples.Length >= 3, $"Only {examples.Length} FHIR examples were found.");
        foreach (var example in examples)
        {
            var problems = Decisions.Fhir.Problems(Decisions.Fhir.Validator.Value.Validate(deserializer.DeserializeResource(example)));
            Assert.True(problems.Length == 0, $"{example[..80]}…\n{string.Join('\n', problems)}");
        }
    }

    [Fact]
    public void The_code_systems_in_docs_are_the_ones_the_questionnaire_uses()
    {
        foreach (var codeSystem in PatientFeedbackQuestionnaire.CodeSystems())
        {
            var file = Path.Combine(Repository.Root, "docs", "fhir", $"CodeSystem-{codeSystem.Url!.Split(':')[^1]}.json");
            Assert.True(File.Exists(file), $"{file} is missing; write it from PatientFeedbackQuestionnaire.CodeSystems().");
            Assert.Equal(codeSystem.ToJson(pretty: true), File.ReadAllText(file).TrimEnd());
        }
    }
}
