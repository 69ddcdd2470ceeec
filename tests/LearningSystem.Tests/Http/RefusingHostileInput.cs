using System.Text;
using System.Text.Json;
using Alba;
using LearningSystem.Tests.Priorities;

namespace LearningSystem.Tests.Http;

/// <summary>Hostile bytes and ids are refused where they enter, with a problem naming the field, and nothing is appended.</summary>
[Collection(ServiceGroup.Name)]
public sealed class RefusingHostileInput(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    private async Task<JsonElement> SendAsync(HttpMethod method, string url, string? json, int status)
    {
        var before = await service.EventCountAsync();
        using var http = service.ClientFor();
        using var request = new HttpRequestMessage(method, url);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{method} {url}: expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await service.EventCountAsync());
        return JsonDocument.Parse(body).RootElement;
    }

    [Theory]
    [InlineData("\\u0000")]
    [InlineData("\\u0007")]
    [InlineData("\\u001b")]
    [InlineData("\\u007f")]
    public async Task Control_characters_in_body_text_are_400_naming_the_field(string escaped)
    {
        var setBy = await Host.ParticipantAsync("Jenny", "student");

        var problem = await SendAsync(HttpMethod.Post, "/api/priorities", $$"""{"statement":"Shorter{{escaped}}waits","rationale":"r","setBy":"{{setBy}}"}""", 400);

        Assert.Equal("statement", Assert.Single(problem.GetProperty("errors").EnumerateObject()).Name);
    }

    [Fact]
    public async Task An_unpaired_surrogate_is_400_as_malformed_json()
    {
        var setBy = await Host.ParticipantAsync("Jenny", "student");

        await SendAsync(HttpMethod.Post, "/api/priorities", $$"""{"statement":"Shorter\ud800waits","rationale":"r","setBy":"{{setBy}}"}""", 400);
    }

    [Fact]
    public async Task Tabs_and_line_breaks_stay_allowed_in_text()
    {
        var setBy = await Host.ParticipantAsync("Jenny", "student");
        await Host.CreateAsync("/api/priorities", new { statement = "Shorter waits\r\n\tfor everyone", rationale = "r", setBy });
    }

    [Theory]
    [InlineData("/api/priorities?setByGroup=pat%00ient")]
    [InlineData("/api/curriculum-changes?course=a%00b")]
    [InlineData("/api/export/events?types=a%00b")]
    public async Task A_nul_in_a_query_value_is_400_naming_the_parameter(string url)
    {
        var problem = await SendAsync(HttpMethod.Get, url, null, 400);

        Assert.Single(problem.GetProperty("errors").EnumerateObject());
    }

    [Theory]
    [InlineData("GET", "/api/priorities/00000000-0000-0000-0000-000000000000")]
    [InlineData("GET", "/api/rounds/00000000-0000-0000-0000-000000000000/results")]
    [InlineData("GET", "/api/streams/00000000-0000-0000-0000-000000000000/events")]
    [InlineData("POST", "/api/priorities/00000000-0000-0000-0000-000000000000/endorsements")]
    public async Task The_empty_uuid_as_a_route_id_is_404(string method, string url) =>
        await SendAsync(new HttpMethod(method), url, method == "POST" ? """{"by":"8d1c1f8e-8a8e-4f61-9b4a-0d8c7b6f7e11"}""" : null, 404);

    [Fact]
    public async Task The_empty_uuid_as_a_body_id_is_400()
    {
        var problem = await SendAsync(HttpMethod.Post, "/api/priorities", """{"statement":"s","rationale":"r","setBy":"00000000-0000-0000-0000-000000000000"}""", 400);

        Assert.Equal("setBy", Assert.Single(problem.GetProperty("errors").EnumerateObject()).Name);
    }

    [Fact]
    public async Task Null_inside_a_list_is_400_naming_the_item()
    {
        var educator = await Host.ParticipantAsync("Dr Lee", "educator");

        var problem = await SendAsync(HttpMethod.Post, "/api/curriculum-changes",
            $$"""{"course":"MBChB","learningOutcome":"o","proposedChange":"c","proposedBy":"{{educator}}","coDesigners":[null]}""", 400);

        Assert.True(problem.GetProperty("errors").TryGetProperty("coDesigners[0]", out _), problem.GetRawText());
    }
}
