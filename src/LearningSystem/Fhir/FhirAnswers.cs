using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace LearningSystem.Fhir;

/// <summary>A request refused with an OperationOutcome: its issue's code, the FHIRPath of the element at fault, and why.</summary>
public sealed class FhirRefused(OperationOutcome.IssueType code, string expression, string detail, int status = StatusCodes.Status400BadRequest) : Exception(detail)
{
    public OperationOutcome.IssueType Code { get; } = code;
    public string Expression { get; } = expression;
    public int Status { get; } = status;
}

/// <summary>Reading FHIR JSON and answering with FHIR resources.</summary>
public static class FhirAnswers
{
    private static readonly FhirJsonDeserializer Deserializer = new(new DeserializerSettings());

    /// <summary>A resource as <c>application/fhir+json</c>.</summary>
    public static IResult Resource(Resource resource, int status = StatusCodes.Status200OK) =>
        Results.Text(resource.ToJson(), FhirModule.MediaType, Encoding.UTF8, status);

    public static OperationOutcome Outcome(OperationOutcome.IssueSeverity severity, OperationOutcome.IssueType code, string text, string? expression = null) => new()
    {
        Issue =
        [
            new OperationOutcome.IssueComponent
            {
                Severity = severity, Code = code, Details = new CodeableConcept { Text = text },
                Expression = expression is null ? [] : [expression],
            },
        ],
    };

    public static IResult Refusal(FhirRefused refused) =>
        Resource(Outcome(OperationOutcome.IssueSeverity.Error, refused.Code, refused.Message, refused.Expression), refused.Status);

    /// <summary>
    /// The request's body as a resource of type <typeparamref name="T"/>. Malformed JSON, JSON nested deeper than 64
    /// levels, what Firely cannot read as FHIR, and another resource type are each refused with their own issue.
    /// </summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : Resource
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, ct);
        var name = typeof(T).Name;
        Resource? resource;
        IEnumerable<Hl7.Fhir.Utility.CodedException> issues;
        try
        {
            // Utf8JsonReader stops at depth 64 before anything recursive is built.
            var reader = new Utf8JsonReader(body.GetBuffer().AsSpan(0, (int)body.Length), new JsonReaderOptions { MaxDepth = 64 });
            if (!Deserializer.TryDeserializeResource(ref reader, out resource, out issues))
            {
                throw new FhirRefused(OperationOutcome.IssueType.Structure, name, $"The body is not a valid FHIR resource: {issues.FirstOrDefault()?.Message ?? "it could not be read"}");
            }
        }
        catch (JsonException e)
        {
            throw new FhirRefused(OperationOutcome.IssueType.Structure, name, $"The body is not JSON a FHIR server can read: {e.Message.Split(" Path:")[0]}");
        }
        catch (Exception e) when (e is not (FhirRefused or OperationCanceledException))
        {
            // Firely refuses what is not a resource (an array, a bare value) in ways of its own.
            throw new FhirRefused(OperationOutcome.IssueType.Structure, name, $"The body is not a valid FHIR resource: {e.Message.Split('\n')[0]}");
        }

        return resource as T ?? throw new FhirRefused(OperationOutcome.IssueType.NotSupported, "resourceType",
            $"Only a {name} is accepted here, not {(resource is null ? "nothing" : resource.TypeName)}.");
    }
}

/// <summary>How the OpenAPI document describes a FHIR resource in JSON: its type, and whatever FHIR R4 defines for it.</summary>
public sealed record FhirResourceJson(string ResourceType)
{
    /// <summary>The resource's other elements, as FHIR R4 defines them for its type.</summary>
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, JsonElement>? Elements { get; init; }
}
