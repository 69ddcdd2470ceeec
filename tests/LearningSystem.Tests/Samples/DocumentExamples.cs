using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LearningSystem.Tests.Samples;

/// <summary>
/// The OpenAPI document's examples are Jenny's story as the <c>.http</c> files play it: each command's request
/// body and its 201 answer, with ids numbered in the order they appear. This test plays the files and compares;
/// with <c>LEARNINGSYSTEM_WRITE_EXAMPLES=1</c> it writes the examples instead (review, then commit).
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed partial class DocumentExamples(ServiceFixture service)
{
    private static readonly string File_ = Path.Combine(Repository.Root, "src", "LearningSystem", "Http", "Describing", "api-examples.json");

    [Fact]
    public async Task The_documents_examples_are_jennys_story_as_the_http_files_play_it()
    {
        var examples = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        var ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string Numbered(string json) => Guid().Replace(json, m =>
        {
            if (!ids.TryGetValue(m.Value, out var number))
            {
                number = ids[m.Value] = $"01a20000-0000-7000-8000-{ids.Count + 1:D12}";
            }

            return number;
        });

        using var http = service.Host.Server.CreateClient();
        foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, "samples", "http"), "*.http").Order(StringComparer.Ordinal))
        {
            var outcomes = await HttpFiles.RunAsync(await File.ReadAllTextAsync(file), http, new Dictionary<string, string>
            {
                ["host"] = "http://localhost", ["key"] = ServiceFixture.KeyOf("tests"), ["organisation"] = Stories.NewOrganisation("example"),
            });
            foreach (var outcome in outcomes.Where(o => o.Body is { Length: > 2 } && o.Status == 201 && !examples.ContainsKey(o.Operation)))
            {
                var example = new JsonObject { ["request"] = JsonNode.Parse(Numbered(outcome.Body!)) };
                if (outcome.AnswerType == "application/json" && outcome.Answer.Length is > 0 and < 2_000)
                {
                    var answer = JsonNode.Parse(Numbered(outcome.Answer))!;
                    // The signing secret is shown once; an example shows its shape, not a secret.
                    if (answer is JsonObject { } body && body.ContainsKey("secret"))
                    {
                        body["secret"] = "c2VjcmV0LXNob3duLW9uY2UtYXQtc3Vic2NyaXB0aW9u";
                    }

                    example["response"] = answer;
                }

                examples[outcome.Operation] = example;
            }
        }

        var written = new JsonObject(examples.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        if (Environment.GetEnvironmentVariable("LEARNINGSYSTEM_WRITE_EXAMPLES") == "1")
        {
            await File.WriteAllTextAsync(File_, written);
        }

        Assert.True(examples.Count >= 25, $"only {examples.Count} commands gave examples");
        Assert.True(written == (File.Exists(File_) ? await File.ReadAllTextAsync(File_) : ""),
            "The examples drifted from the .http files: rerun with LEARNINGSYSTEM_WRITE_EXAMPLES=1, review src/LearningSystem/Http/Describing/api-examples.json, and commit it.");

        // And the document serves them.
        var document = await service.Host.GetJsonAsync("/openapi/v1.json");
        var register = document.GetProperty("paths").GetProperty("/api/participants").GetProperty("post");
        Assert.Equal("Jenny", register.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("displayName").GetString());
        Assert.True(register.GetProperty("responses").GetProperty("201").GetProperty("content").GetProperty("application/json").GetProperty("example").TryGetProperty("id", out _));
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase)]
    private static partial Regex Guid();
}
