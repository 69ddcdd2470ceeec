using System.Collections.Frozen;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace LearningSystem.Http;

/// <summary>
/// A query parameter an operation does not define is refused with a 400 naming it, so that a misspelt or
/// unsupported filter (<c>?asOf=</c> where there is no time travel) is never silently ignored. What an operation
/// defines is read from the same API descriptions the OpenAPI document is made from, so the two cannot differ.
/// Pages outside the API (the explorer) are not described and are not checked.
/// </summary>
public sealed partial class QueryParameters(IApiDescriptionGroupCollectionProvider descriptions)
{
    private readonly Lazy<FrozenDictionary<string, FrozenSet<string>>> _defined = new(() => Read(descriptions));

    // Each endpoint's answer is worked out once, not on every request that has a query. Keyed by the endpoint alone
    // (its own method, not the request's), so that a client inventing methods cannot grow it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Endpoint, FrozenSet<string>?> _byEndpoint = new();

    /// <summary>The query parameters the operation at <paramref name="endpoint"/> defines, or null when it is not an API operation.</summary>
    public FrozenSet<string>? DefinedFor(Endpoint endpoint) =>
        _byEndpoint.GetOrAdd(endpoint, e => e is RouteEndpoint { RoutePattern.RawText: { } route }
            && e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods is [var method]
            && _defined.Value.TryGetValue(Key(method, route), out var names) ? names : null);

    public static async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Query.Count > 0
            && context.GetEndpoint() is { } endpoint
            && context.RequestServices.GetRequiredService<QueryParameters>().DefinedFor(endpoint) is { } defined)
        {
            foreach (var name in context.Request.Query.Keys)
            {
                if (!defined.Contains(name))
                {
                    await ProblemResponse.WriteFieldAsync(context, name, Unknown(name, defined));
                    return;
                }
            }
        }

        await next(context);
    }

    private static string Unknown(string name, FrozenSet<string> defined) =>
        defined.Count == 0
            ? $"'{name}' is not a parameter of this operation, which takes none in its query."
            : $"'{name}' is not a parameter of this operation; it takes {string.Join(", ", defined.Order(StringComparer.Ordinal))}.";

    private static FrozenDictionary<string, FrozenSet<string>> Read(IApiDescriptionGroupCollectionProvider descriptions)
    {
        var defined = new Dictionary<string, FrozenSet<string>>(StringComparer.Ordinal);
        foreach (var description in descriptions.ApiDescriptionGroups.Items.SelectMany(g => g.Items))
        {
            if (description.HttpMethod is not { } method || description.RelativePath is not { } path)
            {
                continue;
            }

            defined[Key(method, path)] = description.ParameterDescriptions
                .Where(p => p.Source == BindingSource.Query)
                .Select(p => p.Name)
                .ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        }

        return defined.ToFrozenDictionary(StringComparer.Ordinal);
    }

    // "/api/rounds/{id:guid}" and "api/rounds/{id}" name the same operation.
    private static string Key(string method, string route) =>
        $"{method.ToUpperInvariant()} {RouteParameter().Replace(route.Trim('/'), "{$1}")}";

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\*{0,2}([^}:=?]+)[^}]*\}")]
    private static partial System.Text.RegularExpressions.Regex RouteParameter();
}
