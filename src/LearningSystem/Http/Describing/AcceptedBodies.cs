using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LearningSystem.Http.Describing;

/// <summary>
/// An endpoint that reads its own body (a FHIR resource, say) has no body parameter for the document to describe;
/// what it accepts is said with <c>[Consumes(typeof(T), contentTypes)]</c>, and described here as its request body.
/// </summary>
public sealed class AcceptedBodies : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.RequestBody is not null
            || context.Description.ActionDescriptor.EndpointMetadata.OfType<IAcceptsMetadata>().FirstOrDefault(a => a.RequestType is not null) is not { } accepts)
        {
            return;
        }

        var schema = await context.GetOrCreateSchemaAsync(accepts.RequestType!, null, cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = accepts.ContentTypes.ToDictionary(t => t, _ => new OpenApiMediaType { Schema = schema }),
        };
    }
}

/// <summary>A type that keeps the properties it does not name (<c>[JsonExtensionData]</c>) takes any others, and its schema says so.</summary>
public sealed class OpenObjects : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type.GetProperties().Any(p => p.IsDefined(typeof(System.Text.Json.Serialization.JsonExtensionDataAttribute), inherit: false)))
        {
            schema.AdditionalPropertiesAllowed = true;
            schema.AdditionalProperties = new OpenApiSchema();
        }

        return Task.CompletedTask;
    }
}
