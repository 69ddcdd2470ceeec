using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;

namespace LearningSystem.Tests.Http;

/// <summary>
/// A query parameter an operation does not define is a 400 naming it, never silently ignored; and every list
/// of a negotiation honours <c>asOf</c> and <c>version</c> as the proposal's own view does.
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed class RefusingUnknownParameters(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    [Fact]
    public async Task Every_operation_refuses_a_query_parameter_it_does_not_define_and_names_it()
    {
        using var http = service.ClientFor("fuzzer");
        var document = JsonNode.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!;
        var operations = document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(m => m.Key is "get" or "post" or "put" or "patch" or "delete")
            .Select(m => (Path: path.Key, Method: m.Key.ToUpperInvariant(), Operation: m.Value!.AsObject())))
            .ToArray();
        Assert.True(operations.Length > 50, $"only {operations.Length} operations were listed");

        var failures = new List<string>();
        foreach (var (path, method, operation) in operations)
        {
            var parameters = operation["parameters"]?.AsArray().Select(p => p!.AsObject()).ToArray() ?? [];
            var url = parameters.Where(p => (string?)p["in"] == "path")
                .Aggregate(path, (u, p) => u.Replace("{" + (string)p["name"]! + "}", Guid.NewGuid().ToString(), StringComparison.Ordinal));
            var defined = parameters.Where(p => (string?)p["in"] == "query").Select(p => (string)p["name"]!).Order(StringComparer.Ordinal).ToArray();

            using var request = new HttpRequestMessage(new HttpMethod(method), $"{url}?colour=blue");
            if (method is "POST" or "PUT" or "PATCH")
            {
                request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            }

            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var expected = defined.Length == 0
                ? "'colour' is not a parameter of this operation, which takes none in its query."
                : $"'colour' is not a parameter of this operation; it takes {string.Join(", ", defined)}.";
            if (response.StatusCode != HttpStatusCode.BadRequest
                || response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                || JsonDocument.Parse(body).RootElement.GetProperty("errors").GetProperty("colour")[0].GetString() != expected)
            {
                failures.Add($"{method} {path}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task A_misspelt_parameter_is_refused_whole_and_a_defined_one_in_any_case_is_read()
    {
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny);
        var priority = await Host.CreateAsync("/api/priorities", new { statement = "Shorter waits", rationale = "Hours of waiting", setBy = jenny });

        var refused = await Host.GetJsonAsync($"/api/priorities/{priority}/endorsements?versoin=1", 400);

        Assert.Equal(
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The request has invalid fields.","status":400,"detail":"'versoin' is not a parameter of this operation; it takes after, asOf, limit, version.","errors":{"versoin":["'versoin' is not a parameter of this operation; it takes after, asOf, limit, version."]}}""",
            Without(refused, "traceId"));
        Assert.Empty((await Host.GetJsonAsync($"/api/priorities/{priority}/endorsements?Version=1")).EnumerateArray());
    }

    [Fact]
    public async Task Endorsements_answer_as_they_stood_at_a_version_or_a_time()
    {
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny);
        var ada = await Host.CreateAsync("/api/participants", new { displayName = "Ada", stakeholderGroup = "nurse" });
        var okafor = await Host.CreateAsync("/api/participants", new { displayName = "Mr Okafor", stakeholderGroup = "patient" });
        var priority = await Host.CreateAsync("/api/priorities", new { statement = "Shorter waits", rationale = "Hours of waiting", setBy = jenny });
        var url = $"/api/priorities/{priority}/endorsements";
        await MoveAsync(url, new { by = ada });
        await MoveAsync($"/api/priorities/{priority}/objections", new { by = ada, reason = "Not knowing is worse" });
        await MoveAsync(url, new { by = jenny });
        var atVersionFour = DateTimeOffset.UtcNow;
        await MoveAsync(url, new { by = okafor });

        static Guid[] By(JsonElement list) => [.. list.EnumerateArray().Select(e => e.GetProperty("by").GetGuid())];

        Assert.Equal([ada, jenny, okafor], By(await Host.GetJsonAsync(url)));
        Assert.Equal([ada, jenny], By(await Host.GetJsonAsync($"{url}?version=4")));
        Assert.Equal([ada], By(await Host.GetJsonAsync($"{url}?version=3")));
        Assert.Equal([ada, jenny], By(await Host.GetJsonAsync($"{url}?asOf={Uri.EscapeDataString(atVersionFour.ToString("O"))}")));
        // As of now, the history folded is the documents as they stand, field for field.
        var asOfNow = await Host.GetJsonAsync($"{url}?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}");
        Assert.Equal((await Host.GetJsonAsync(url)).GetRawText(), asOfNow.GetRawText());
        // Pages of an as-of list go on from where the last ended.
        Assert.Equal([jenny], By(await Host.GetJsonAsync($"{url}?version=4&after=2")));
        await Host.GetJsonAsync($"{url}?version=0", 400);
        await Host.GetJsonAsync($"{url}?asOf={Uri.EscapeDataString(TestClock.Start.AddYears(-5).ToString("O"))}", 404);
    }

    private Task<IScenarioResult> MoveAsync(string url, object body) => Host.Scenario(s =>
    {
        s.Post.Json(body).ToUrl(url);
        s.StatusCodeShouldBe(201);
    });

    private static string Without(JsonElement problem, string property)
    {
        var node = JsonNode.Parse(problem.GetRawText())!.AsObject();
        node.Remove(property);
        return node.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
