using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Wolverine.Http;

namespace LearningSystem.Http.Describing;

/// <summary>
/// Each operation's summary is its operation id in words ("registerParticipant" is "Register participant"),
/// and its description is the doc comment of the endpoint method, or of its class, so what people read in
/// the API reference is written once, beside the code.
/// </summary>
public sealed partial class OperationTexts : IOpenApiOperationTransformer
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Comments = new(Load);
    private static readonly Dictionary<string, string> Acronyms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["fhir"] = "FHIR", ["prov"] = "PROV", ["csv"] = "CSV", ["ndjson"] = "NDJSON", ["jla"] = "JLA",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.OperationId is { Length: > 0 } id)
        {
            operation.Summary = Words(id);
        }

        var chain = context.Description.ActionDescriptor.EndpointMetadata.OfType<HttpChain>().FirstOrDefault();
        if (chain?.Method is { } call)
        {
            var type = call.HandlerType.FullName?.Replace('+', '.');
            var method = Comments.Value.FirstOrDefault(c => c.Key.StartsWith($"M:{type}.{call.Method.Name}(", StringComparison.Ordinal) || c.Key == $"M:{type}.{call.Method.Name}").Value;
            var command = chain.RequestType?.FullName?.Replace('+', '.');
            operation.Description = method ?? Comments.Value.GetValueOrDefault($"T:{type}") ?? Comments.Value.GetValueOrDefault($"T:{command}") ?? operation.Summary;
        }

        return Task.CompletedTask;
    }

    /// <summary>"getDecisionFhir" as "Get decision FHIR".</summary>
    public static string Words(string operationId)
    {
        var words = CamelWords().Split(operationId).Where(w => w.Length > 0)
            .Select((w, i) => Acronyms.TryGetValue(w, out var acronym) ? acronym : i == 0 ? char.ToUpperInvariant(w[0]) + w[1..] : w.ToLowerInvariant());
        return string.Join(' ', words);
    }

    private static Dictionary<string, string> Load()
    {
        var file = Path.ChangeExtension(typeof(OperationTexts).Assembly.Location, ".xml");
        if (!File.Exists(file))
        {
            return new Dictionary<string, string>();
        }

        return XDocument.Load(file).Descendants("member")
            .Where(m => m.Element("summary") is not null)
            .ToDictionary(m => (string)m.Attribute("name")!, m => Text(m.Element("summary")!), StringComparer.Ordinal);
    }

    /// <summary>A doc comment as Markdown: cross-references by their short name, code in backticks, whitespace folded.</summary>
    private static string Text(XElement summary)
    {
        foreach (var see in summary.Descendants().Where(e => e.Name == "see" || e.Name == "paramref" || e.Name == "typeparamref").ToArray())
        {
            var target = (string?)see.Attribute("cref") ?? (string?)see.Attribute("name") ?? (string?)see.Attribute("langword") ?? "";
            see.ReplaceWith($"`{target[(target.LastIndexOfAny([':', '.']) + 1)..]}`");
        }

        foreach (var code in summary.Descendants("c").ToArray())
        {
            code.ReplaceWith($"`{code.Value}`");
        }

        return Whitespace().Replace(summary.Value, " ").Trim();
    }

    [GeneratedRegex(@"(?<=[a-z0-9])(?=[A-Z])")]
    private static partial Regex CamelWords();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
