using System.Reflection;
using System.Text.Json.Serialization;
using Wolverine.Http;
using LearningSystem.Http.Idempotency;

namespace LearningSystem.Http;

/// <summary>The answer to every command that starts a stream: 201, Location and ETag headers, and the id and version.</summary>
public sealed record Created(Guid Id, long Version) : IHttpAware
{
    [JsonIgnore]
    public string Location { get; init; } = "";

    public static Created At(string collection, Guid id, long version) => new(id, version) { Location = $"{collection}/{id}" };

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.RemoveStatusCodeResponse(StatusCodes.Status200OK);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(Created), ["application/json"]));
    }

    void IHttpAware.Apply(HttpContext context)
    {
        IdempotencyKey.Remember(context, this);
        context.Response.Headers.Location = Location;
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers.ETag = $"\"{Version}\"";
    }
}
