using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace LearningSystem.Tests.Http;

/// <summary>
/// Every operation the served OpenAPI document lists, sent hostile values in every place it takes input:
/// route ids, query values and each body field. No answer may be a 5xx.
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed class FuzzingTheApi(ServiceFixture service, ITestOutputHelper output)
{
    private const string EmptyId = "00000000-0000-0000-0000-000000000000";

    /// <summary>Values that have broken services before: control characters, huge and odd sizes, wrong types, empty ids.</summary>
    private static readonly JsonNode?[] HostileValues =
    [
        null,
        "a\u0000b",
        "\u001b[31m\u0007",
        new string('x', 200_000),
        "",
        "   ",
        EmptyId,
        "not-a-uuid",
        "zzz-unknown-value",
        "9999-99-99T99:99:99Z",
        -1,
        0,
        JsonValue.Create(1e300),
        JsonValue.Create(long.MaxValue),
        true,
        new JsonArray(),
        new JsonArray((JsonNode?)null),
        new JsonObject(),
        new JsonObject { ["$ref"] = "#/x" },
    ];

    /// <summary>Whole bodies that are not the command at all.</summary>
    private static readonly string[] HostileBodies =
    [
        "",
        "{",
        "null",
        "[]",
        "\"text\"",
        "{\"a\":" + string.Concat(Enumerable.Repeat("[", 5_000)) + string.Concat(Enumerable.Repeat("]", 5_000)) + "}",
        "{\"x\":1e99999}",
        "{\"by\":\"\\u0000\"}",
    ];

    // A NUL in the path never reaches the service: Kestrel refuses it while reading the request line.
    private static readonly string[] HostileRouteValues = [EmptyId, "not-a-uuid", "%1b%07", Guid.NewGuid().ToString(), new string('9', 2_000)];

    private static readonly string[] HostileQueryValues = ["%00", "a%00b", new string('q', 10_000), "-1", "99999999999999999999999", "zzz", "", EmptyId, "2026-13-45"];

    [Fact]
    public async Task No_operation_answers_5xx_to_hostile_input()
    {
        using var http = service.ClientFor("fuzzer");
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        var components = document["components"]?["schemas"]?.AsObject();
        var failures = new List<string>();
        var sent = 0;

        async Task SendAsync(string method, string url, string? body)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            sent++;
            using var response = await http.SendAsync(request);
            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var text = await response.Content.ReadAsStringAsync();
                failures.Add($"{method} {url} {Shorten(body)} -> {(int)response.StatusCode} {Shorten(text)}");
            }
        }

        var operations = document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(m => m.Key is "get" or "post" or "put" or "patch" or "delete")
            .Select(m => (Path: path.Key, Method: m.Key.ToUpperInvariant(), Operation: m.Value!.AsObject())))
            .ToArray();
        Assert.True(operations.Length > 50, $"only {operations.Length} operations were listed");

        foreach (var (path, method, operation) in operations)
        {
            var parameters = operation["parameters"]?.AsArray().Select(p => p!.AsObject()).ToArray() ?? [];
            var routeNames = parameters.Where(p => (string?)p["in"] == "path").Select(p => (string)p["name"]!).ToArray();
            var queryNames = parameters.Where(p => (string?)p["in"] == "query").Select(p => (string)p["name"]!).ToArray();
            string Url(string? hostileRoute = null, string? query = null)
            {
                var url = path;
                foreach (var name in routeNames)
                {
                    url = url.Replace("{" + name + "}", hostileRoute ?? Guid.NewGuid().ToString(), StringComparison.Ordinal);
                }

                return query is null ? url : $"{url}?{query}";
            }

            var schema = operation["requestBody"]?["content"]?["application/json"]?["schema"];
            var valid = schema is null ? null : Example(schema, components, 0) as JsonObject;
            var validBody = valid?.ToJsonString() ?? (method is "POST" or "PUT" ? "{}" : null);

            foreach (var route in routeNames.Length > 0 ? HostileRouteValues : [])
            {
                await SendAsync(method, Url(route), validBody);
            }

            foreach (var name in queryNames)
            {
                foreach (var value in HostileQueryValues)
                {
                    await SendAsync(method, Url(query: $"{name}={value}"), validBody);
                }
            }

            if (method is not ("POST" or "PUT" or "PATCH"))
            {
                await SendAsync(method, Url(), null);
                continue;
            }

            foreach (var body in HostileBodies)
            {
                await SendAsync(method, Url(), body);
            }

            foreach (var field in valid?.Select(p => p.Key).ToArray() ?? [])
            {
                foreach (var value in HostileValues)
                {
                    var mutated = valid!.DeepClone().AsObject();
                    mutated[field] = value?.DeepClone();
                    await SendAsync(method, Url(), mutated.ToJsonString());
                }
            }

            await SendAsync(method, Url(), validBody);
        }

        output.WriteLine($"{operations.Length} operations, {sent} requests, {failures.Count} failures");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
    }

    /// <summary>A plausible value for a schema: what a careful client would send, for the hostile values to replace one by one.</summary>
    private static JsonNode? Example(JsonNode schema, JsonObject? components, int depth)
    {
        if (depth > 6)
        {
            return null;
        }

        if (schema["$ref"] is { } reference)
        {
            var name = ((string)reference!).Split('/')[^1];
            return components?[name] is { } target ? Example(target, components, depth + 1) : null;
        }

        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (schema[combinator] is JsonArray options)
            {
                return options.Select(o => Example(o!, components, depth + 1)).FirstOrDefault(v => v is not null);
            }
        }

        if (schema["enum"] is JsonArray values && values.FirstOrDefault(v => v is not null) is { } first)
        {
            return first.DeepClone();
        }

        var types = schema["type"] switch
        {
            JsonArray many => many.Select(t => (string)t!).ToArray(),
            JsonValue one => [(string)one!],
            _ => schema["properties"] is not null ? ["object"] : [],
        };
        var type = types.FirstOrDefault(t => t != "null");
        return type switch
        {
            "object" => new JsonObject((schema["properties"]?.AsObject() ?? [])
                .Select(p => KeyValuePair.Create(p.Key, Example(p.Value!, components, depth + 1)))),
            "array" => schema["items"] is { } items && Example(items, components, depth + 1) is { } item ? new JsonArray(item) : new JsonArray(),
            "integer" => 1,
            "number" => 1.5,
            "boolean" => true,
            "string" => (string?)schema["format"] switch
            {
                "uuid" => Guid.NewGuid().ToString(),
                "date-time" => "2026-11-20T10:00:00Z",
                "date" => "2026-11-20",
                "uri" => "http://127.0.0.1:9/hook",
                _ => "Shorter waits in the diabetes clinic",
            },
            _ => null,
        };
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length > 160 ? text[..160] + "…" : text;
}
