using System.Reflection;
using System.Text.Json.Serialization;
using Wolverine.Http;
using LearningSystem.Http.Idempotency;

namespace LearningSystem.Http;

/// <summary>
/// The answer to an act on an existing stream: 201, its new version (also as ETag), Location naming the item
/// acted on (the resource that version belongs to), and the id of anything it created.
/// </summary>
public sealed record Accepted(long Version, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? Id = null) : IHttpAware
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.RemoveStatusCodeResponse(StatusCodes.Status200OK);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(Accepted), ["application/json"]));
        foreach (var status in new[] { 404, 409 })
        {
            builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
        }
    }

    void IHttpAware.Apply(HttpContext context)
    {
        IdempotencyKey.Remember(context, this);
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers.ETag = $"\"{Version}\"";
        if (ItemActedOn(context.Request.Path) is { } location)
        {
            context.Response.Headers.Location = location;
        }
    }

    /// <summary>Every move is posted under its item: <c>/api/priorities/{id}/objections</c> acts on <c>/api/priorities/{id}</c>.</summary>
    public static string? ItemActedOn(PathString path) =>
        path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) is ["api", var collection, var id, _, ..] && Guid.TryParse(id, out _)
            ? $"/api/{collection}/{id}"
            : null;
}
