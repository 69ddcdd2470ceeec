using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LearningSystem.Http.Describing;

/// <summary>
/// Each command's request and 201 answer as examples, taken from Jenny's story as the <c>.http</c> samples play
/// it (<c>api-examples.json</c>, kept true by a test).
/// </summary>
public sealed class ApiExamples : IOpenApiOperationTransformer
{
    private static readonly Lazy<JsonObject> Examples = new(() =>
    {
        using var stream = typeof(ApiExamples).Assembly.GetManifestResourceStream("LearningSystem.Http.Describing.api-examples.json");
        return stream is null ? [] : JsonNode.Parse(stream)!.AsObject();
    });

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.OperationId is not { } id || Examples.Value[id] is not JsonObject example)
        {
            return Task.CompletedTask;
        }

        if (example["request"] is { } request && operation.RequestBody?.Content is { } content && content.TryGetValue("application/json", out var body))
        {
            body.Example = request.DeepClone();
        }

        if (example["response"] is { } response && operation.Responses?.TryGetValue("201", out var created) == true
            && created.Content is { } answers && answers.TryGetValue("application/json", out var answer))
        {
            answer.Example = response.DeepClone();
        }

        return Task.CompletedTask;
    }
}
