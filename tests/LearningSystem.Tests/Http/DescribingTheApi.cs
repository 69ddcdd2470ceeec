using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LearningSystem.Tests.Http;

[Collection(ServiceGroup.Name)]
public sealed class DescribingTheApi(ServiceFixture service)
{
    [Theory]
    [InlineData("/api/participants", "post", "registerParticipant")]
    [InlineData("/api/participants/{id}", "get", "getParticipant")]
    [InlineData("/api/patient-feedback", "post", "recordPatientFeedback")]
    [InlineData("/api/patient-feedback/{id}", "get", "getPatientFeedback")]
    [InlineData("/api/service-redesigns", "post", "proposeServiceRedesign")]
    [InlineData("/api/service-redesigns/{id}", "get", "getServiceRedesign")]
    [InlineData("/api/streams/{id}/events", "get", "readStreamEvents")]
    [InlineData("/api/{kind}/{id}/objections", "get", "listObjections")]
    public async Task The_openapi_document_names_every_operation(string path, string method, string operationId)
    {
        var document = await service.Host.GetJsonAsync("/openapi/v1.json");

        var operation = document.GetProperty("paths").GetProperty(path).GetProperty(method);
        Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
    }

    [Theory]
    [InlineData("/api/participants", "201", "400", "415", "413")]
    [InlineData("/api/service-redesigns", "201", "400", "404")]
    public async Task Commands_document_their_answers(string path, params string[] statuses)
    {
        var document = await service.Host.GetJsonAsync("/openapi/v1.json");

        var responses = document.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("responses");
        foreach (var status in statuses)
        {
            Assert.True(responses.TryGetProperty(status, out _), $"{path} should document {status}");
        }
    }

    /// <summary>The same pinned Redocly CLI as .ci/run fetches, run through npm.</summary>
    public const string Linter = "@redocly/cli@2.77.0";

    /// <summary>Stoplight's Spectral CLI, pinned, with its built-in <c>spectral:oas</c> ruleset.</summary>
    public const string Spectral = "@stoplight/spectral-cli@6.16.3";

    [Fact]
    public async Task The_openapi_document_lints_clean_with_redocly()
    {
        var (output, exitCode) = await LintAsync(Linter, file => ["redocly", "lint", "--format=stylish", file]);

        Assert.True(exitCode == 0, output);
        // The in-memory test server is "localhost", which one rule warns about; no other warning is allowed.
        Assert.DoesNotContain(output.Split('\n'), line =>
            System.Text.RegularExpressions.Regex.IsMatch(line, @"^\s*\d+:\d+\s+warning") && !line.Contains("no-server-example.com", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_openapi_document_lints_clean_with_spectral_oas()
    {
        var (output, exitCode) = await LintAsync(Spectral, file =>
        {
            var ruleset = Path.Combine(Path.GetDirectoryName(file)!, ".spectral.yaml");
            File.WriteAllText(ruleset, "extends: [\"spectral:oas\"]\n");
            return ["spectral", "lint", "--fail-severity=hint", "--ruleset", ruleset, file];
        });

        // Any error, warning, information or hint fails the run.
        Assert.True(exitCode == 0, output);
        Assert.Contains("No results", output, StringComparison.Ordinal);
    }

    private async Task<(string Output, int ExitCode)> LintAsync(string package, Func<string, string[]> command)
    {
        var (document, _) = await service.Host.GetTextAsync("/openapi/v1.json");
        var directory = Directory.CreateTempSubdirectory("learningsystem-openapi-");
        var file = Path.Combine(directory.FullName, "openapi.json");
        await File.WriteAllTextAsync(file, document);
        try
        {
            using var lint = Process.Start(new ProcessStartInfo("npm", ["exec", "--yes", $"--package={package}", "--", .. command(file)])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory.FullName,
            }) ?? throw new InvalidOperationException("npm could not be started; the lint needs Node.js and npm.");
            var output = lint.StandardOutput.ReadToEndAsync();
            var errors = lint.StandardError.ReadToEndAsync();
            await lint.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            return (await output + await errors, lint.ExitCode);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_document_is_exact_enums_listed_required_fields_not_nullable_numbers_numbers_and_summaries_in_words()
    {
        var document = await service.Host.GetJsonAsync("/openapi/v1.json");
        var schemas = document.GetProperty("components").GetProperty("schemas");

        var register = schemas.GetProperty("RegisterParticipant").GetProperty("properties");
        Assert.Equal(LearningSystem.Http.WireValues<LearningSystem.Participants.StakeholderGroup>.Names,
            register.GetProperty("stakeholderGroup").GetProperty("enum").EnumerateArray().Select(v => v.GetString()!));
        Assert.Equal("string", register.GetProperty("stakeholderGroup").GetProperty("type").GetString());
        Assert.Equal(["null", "string"], register.GetProperty("organisationRole").GetProperty("type").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains("research", register.GetProperty("consent").GetProperty("items").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["agreed", "rejected"], schemas.GetProperty("DecidePriority").GetProperty("properties").GetProperty("outcome")
            .GetProperty("enum").EnumerateArray().Select(v => v.GetString()!));

        // No property anywhere is a number that may also be a string.
        var types = schemas.EnumerateObject().SelectMany(s => s.Value.TryGetProperty("properties", out var p) ? p.EnumerateObject() : [])
            .Where(p => p.Value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.Array)
            .Select(p => string.Join(",", p.Value.GetProperty("type").EnumerateArray().Select(t => t.GetString())));
        Assert.DoesNotContain(types, t => t.Contains("integer", StringComparison.Ordinal) && t.Contains("string", StringComparison.Ordinal));

        var register201 = document.GetProperty("paths").GetProperty("/api/participants").GetProperty("post");
        Assert.Equal("Register participant", register201.GetProperty("summary").GetString());
        var fhir = document.GetProperty("paths").GetProperty("/api/decisions/{id}/fhir").GetProperty("get");
        Assert.Equal("Get decision FHIR", fhir.GetProperty("summary").GetString());
        Assert.StartsWith("A decision's provenance as an HL7 FHIR R4 Bundle", fhir.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.All(document.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject()),
            o => Assert.DoesNotContain("_api_", o.Value.GetProperty("summary").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_operation_says_how_to_sign_in_its_scope_and_the_problems_it_can_answer()
    {
        var document = await service.Host.GetJsonAsync("/openapi/v1.json");
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("X-Api-Key", schemes.GetProperty("apiKey").GetProperty("name").GetString());
        Assert.Equal(LearningSystem.Access.Scopes.All.Order(), schemes.GetProperty("oauth2").GetProperty("flows").GetProperty("clientCredentials")
            .GetProperty("scopes").EnumerateObject().Select(s => s.Name).Order());

        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Path: p.Name, Method: o.Name, Operation: o.Value))).ToArray();
        Assert.True(operations.Length > 60);
        Assert.All(operations, o =>
        {
            Assert.False(string.IsNullOrEmpty(o.Operation.GetProperty("operationId").GetString()), $"{o.Method} {o.Path} has no operationId");
            Assert.NotEmpty(o.Operation.GetProperty("tags").EnumerateArray());
            var scope = LearningSystem.Access.Scopes.For(o.Method, o.Path);
            Assert.Equal(0, o.Operation.GetProperty("security")[0].GetProperty("apiKey").GetArrayLength());
            Assert.Equal(scope, o.Operation.GetProperty("security")[1].GetProperty("oauth2")[0].GetString());
            foreach (var status in new[] { "401", "403", "429" })
            {
                Assert.True(o.Operation.GetProperty("responses").TryGetProperty(status, out _), $"{o.Method} {o.Path} should document {status}");
            }
        });
        var feedback = document.GetProperty("paths").GetProperty("/api/patient-feedback").GetProperty("post");
        Assert.Contains(feedback.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key");
        Assert.True(feedback.GetProperty("responses").TryGetProperty("422", out _));
    }

    [Fact]
    public async Task A_404_is_documented_exactly_where_one_can_be_answered_and_always_as_a_problem()
    {
        var document = await service.Host.GetJsonAsync("/openapi/v1.json");
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Path: p.Name, Method: o.Name, Responses: o.Value.GetProperty("responses")))).ToArray();

        // Every path with a parameter answers 404 for the empty UUID, so documents it; every 404 documented is a problem.
        Assert.All(operations.Where(o => o.Path.Contains('{', StringComparison.Ordinal)), o =>
            Assert.True(o.Responses.TryGetProperty("404", out _), $"{o.Method} {o.Path} should document 404"));
        Assert.All(operations.Where(o => o.Responses.TryGetProperty("404", out _)), o =>
            Assert.True(o.Responses.GetProperty("404").GetProperty("content").TryGetProperty("application/problem+json", out _), $"{o.Method} {o.Path}'s 404 is not a problem"));
        using var client = service.ClientFor();
        using (var empty = await client.GetAsync(new Uri($"/api/services/{Guid.Empty}/you-said-we-did", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, empty.StatusCode);
            Assert.Equal("application/problem+json", empty.Content.Headers.ContentType?.MediaType);
        }

        // A read with no parameter in its path that documents no 404 answers something else, asked plainly.
        var plain = operations.Where(o => o.Method == "get" && !o.Path.Contains('{', StringComparison.Ordinal) && !o.Responses.TryGetProperty("404", out _)).ToArray();
        Assert.Contains(plain, o => o.Path == "/api/priorities");
        Assert.Contains(plain, o => o.Path == "/api/search");
        foreach (var (path, _, _) in plain)
        {
            // Only the status is read: some of these stream a whole export.
            using var answer = await client.GetAsync(new Uri(path == "/api/search" ? $"{path}?q=waits" : path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
            Assert.True(answer.StatusCode != HttpStatusCode.NotFound, $"GET {path} answered 404 but does not document it");
        }
    }

    [Fact]
    public async Task The_interactive_reference_opens_without_credentials()
    {
        using var anonymous = service.ClientFor(null);
        using var page = await anonymous.GetAsync(new Uri("/scalar/v1", UriKind.Relative));
        using var document = await anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("LearningSystem API", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal("3.1.1", (await document.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("openapi").GetString());
    }

    [Theory]
    [InlineData("RegisterParticipant", "displayName", "stakeholderGroup")]
    [InlineData("DecidePriority", "by", "decisionMakers", "outcome", "rationale")]
    [InlineData("AcceptAmendment", "by")]
    public async Task A_commands_schema_requires_exactly_what_its_validator_requires(string command, params string[] required)
    {
        var document = await service.Host.GetJsonAsync("/openapi/v1.json");

        var schema = document.GetProperty("components").GetProperty("schemas").GetProperty(command);

        Assert.Equal(required.Order(StringComparer.Ordinal), schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_participant_registered_without_an_organisation_role_is_created_as_the_document_allows()
    {
        var document = await service.Host.GetJsonAsync("/openapi/v1.json");
        var schema = document.GetProperty("components").GetProperty("schemas").GetProperty("RegisterParticipant");
        Assert.DoesNotContain("organisationRole", schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(200, schema.GetProperty("properties").GetProperty("displayName").GetProperty("maxLength").GetInt32());

        await service.Host.CreateAsync("/api/participants", new { displayName = "Jenny", stakeholderGroup = "student" });
    }
}
