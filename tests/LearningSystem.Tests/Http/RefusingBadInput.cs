using System.Text;
using System.Text.Json;
using Alba;
using Npgsql;

namespace LearningSystem.Tests.Http;

/// <summary>Every kind of bad input gets its 4xx as an RFC 9457 problem, and nothing stored changes.</summary>
[Collection(ServiceGroup.Name)]
public sealed class RefusingBadInput(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    public static TheoryData<string> Commands => new() { "/api/participants", "/api/patient-feedback", "/api/service-redesigns", "/api/priorities", "/api/rounds", "/api/curriculum-changes" };

    [Theory]
    [MemberData(nameof(Commands))]
    public Task Malformed_json_is_400(string url) =>
        RefusedAsync(url, "{\"displayName\": \"Jen", "application/json", 400);

    [Theory]
    [MemberData(nameof(Commands))]
    public Task A_null_body_is_400(string url) =>
        RefusedAsync(url, "null", "application/json", 400);

    [Theory]
    [MemberData(nameof(Commands))]
    public Task Text_instead_of_json_is_415(string url) =>
        RefusedAsync(url, "displayName=Jenny", "text/plain", 415);

    [Theory]
    [MemberData(nameof(Commands))]
    public Task A_body_over_the_limit_is_413(string url) =>
        RefusedAsync(url, JsonSerializer.Serialize(new { displayName = new string('x', 1_100_000), stakeholderGroup = "student" }), "application/json", 413);

    [Theory]
    [InlineData("/api/participants", "displayName", "stakeholderGroup")]
    [InlineData("/api/patient-feedback", "service", "source", "receivedAt", "rating", "comment", "consent")]
    [InlineData("/api/service-redesigns", "title", "problem", "proposedChange", "service", "proposedBy")]
    [InlineData("/api/priorities", "statement", "rationale", "setBy")]
    [InlineData("/api/rounds", "question", "scope", "requiredGroups", "by")]
    public async Task Missing_fields_are_400_naming_each_field(string url, params string[] fields)
    {
        var problem = await RefusedAsync(url, "{}", "application/json", 400);

        var errors = problem.GetProperty("errors");
        Assert.Equal(fields.Order(), errors.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task An_unknown_stakeholder_group_is_a_field_error_listing_the_groups()
    {
        var problem = await RefusedAsync("/api/participants", """{"displayName":"Jenny","stakeholderGroup":"alien"}""", "application/json", 400);

        var message = Assert.Single(problem.GetProperty("errors").GetProperty("stakeholderGroup").EnumerateArray()).GetString();
        Assert.Contains("alliedHealthProfessional", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_rating_and_consent_values_are_field_errors()
    {
        var body = """{"service":"s","source":"k","receivedAt":"2026-11-01T00:00:00Z","rating":"meh","comment":"","consent":["marketing"]}""";

        var problem = await RefusedAsync("/api/patient-feedback", body, "application/json", 400);

        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("rating", out _));
        Assert.True(errors.TryGetProperty("consent[0]", out _));
    }

    [Fact]
    public Task A_wrongly_typed_field_is_400() =>
        RefusedAsync("/api/patient-feedback", """{"service":"s","source":"k","receivedAt":"last tuesday","rating":"good","comment":"","consent":["research"]}""", "application/json", 400);

    [Fact]
    public Task A_malformed_organisation_is_400() =>
        RefusedAsync("/api/participants", JsonSerializer.Serialize(Requests.Jenny), "application/json", 400, organisation: "../../etc");

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_413()
    {
        var before = await service.EventCountAsync();
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { displayName = new string('x', 1_100_000), stakeholderGroup = "student" }));

        var result = await Host.Scenario(s =>
        {
            s.Post.Url("/api/participants");
            s.ConfigureHttpContext(c =>
            {
                c.Request.ContentType = "application/json";
                c.Request.ContentLength = null;
                c.Request.Body = new MemoryStream(body);
            });
            s.StatusCodeShouldBe(413);
            s.ContentTypeShouldBe("application/problem+json");
        });

        Assert.Equal(before, await service.EventCountAsync());
    }

    private async Task<JsonElement> RefusedAsync(string url, string body, string contentType, int status, string? organisation = null)
    {
        var before = await service.EventCountAsync();

        var result = await Host.Scenario(s =>
        {
            s.Post.Text(body).ToUrl(url);
            s.WithRequestHeader("Content-Type", contentType);
            if (organisation is not null)
            {
                s.WithRequestHeader("X-Organisation", organisation);
            }

            s.StatusCodeShouldBe(status);
            s.ContentTypeShouldBe("application/problem+json");
        });

        var problem = await result.ReadAsJsonAsync<JsonElement>();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.Equal(before, await service.EventCountAsync());
        return problem;
    }
}
