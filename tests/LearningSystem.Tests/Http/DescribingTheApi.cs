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

    [Fact]
    public async Task The_openapi_document_lints_clean_with_a_standard_linter()
    {
        var (document, _) = await service.Host.GetTextAsync("/openapi/v1.json");
        var file = Path.Combine(Path.GetTempPath(), $"learningsystem-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document);
        try
        {
            using var lint = Process.Start(new ProcessStartInfo("npm", ["exec", "--yes", $"--package={Linter}", "--", "redocly", "lint", "--format=stylish", file])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            }) ?? throw new InvalidOperationException("npm could not be started; the lint needs Node.js and npm.");
            var output = lint.StandardOutput.ReadToEndAsync();
            var errors = lint.StandardError.ReadToEndAsync();
            await lint.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));

            var report = await output + await errors;
            Assert.True(lint.ExitCode == 0, report);
            // The in-memory test server is "localhost", which one rule warns about; no other warning is allowed.
            Assert.DoesNotContain((await output).Split('\n'), line =>
                System.Text.RegularExpressions.Regex.IsMatch(line, @"^\s*\d+:\d+\s+warning") && !line.Contains("no-server-example.com", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Every_operation_says_how_to_sign_in_its_scope_and_the_problems_it_can_answer()
    {
        var document = await service.Host.GetJsonAsync("/openapi/v1.json");
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("X-Api-Key", schemes.GetProperty("apiKey").GetProperty("name").GetString());
        Assert.Equal("bearer", schemes.GetProperty("bearer").GetProperty("scheme").GetString());

        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Path: p.Name, Method: o.Name, Operation: o.Value))).ToArray();
        Assert.True(operations.Length > 60);
        Assert.All(operations, o =>
        {
            Assert.False(string.IsNullOrEmpty(o.Operation.GetProperty("operationId").GetString()), $"{o.Method} {o.Path} has no operationId");
            Assert.NotEmpty(o.Operation.GetProperty("tags").EnumerateArray());
            var scope = LearningSystem.Access.Scopes.For(o.Method, o.Path);
            Assert.Equal(scope, o.Operation.GetProperty("security")[0].GetProperty("apiKey")[0].GetString());
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
