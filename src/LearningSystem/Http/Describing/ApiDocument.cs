using LearningSystem.Access;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using LearningSystem.Http.Idempotency;
using LearningSystem.Organisations;

namespace LearningSystem.Http.Describing;

/// <summary>
/// Completes the OpenAPI document with what every endpoint shares but no endpoint declares: how clients sign
/// in and the scope each operation needs, the organisation and idempotency headers, and the problem responses
/// access, limits and timeouts can give. Tags get descriptions, so that the document lints clean.
/// </summary>
public sealed class ApiDocument(IConfiguration configuration) : IOpenApiDocumentTransformer
{
    private const string ApiKey = "apiKey";
    private const string BrowserSession = "browserSession";
    private const string OAuth2 = "oauth2";

    /// <summary>Where the OAuth2 client-credentials flow gets tokens; the issuer's, so it comes from configuration.</summary>
    public const string TokenUrlSetting = "Authentication:Jwt:TokenUrl";

    // Each room's module says what its tag covers (ApiTagAttribute).
    private static readonly Dictionary<string, string> TagDescriptions = typeof(ApiDocument).Assembly.GetTypes()
        .SelectMany(t => t.GetCustomAttributes(typeof(ApiTagAttribute), inherit: false).Cast<ApiTagAttribute>())
        .ToDictionary(a => a.Name, a => a.Description, StringComparer.Ordinal);

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "LearningSystem";
        document.Info.Description = "Co-creating a learning health system: every act is a command that appends immutable events.";
        // Whoever runs the service is its integrators' contact, so the details come from configuration.
        document.Info.Contact = new OpenApiContact
        {
            Name = configuration["Api:Contact:Name"] is { Length: > 0 } name ? name : "The LearningSystem service's operators",
            Email = configuration["Api:Contact:Email"] is { Length: > 0 } email ? email : null,
            Url = AbsoluteUri(configuration["Api:Contact:Url"]),
        };
        document.Info.License = new OpenApiLicense
        {
            Name = "Proprietary: all rights reserved by the LearningSystem developers", Identifier = "LicenseRef-LearningSystem-Proprietary",
        };
        // The server is where the document was fetched from; without the trailing slash linters refuse.
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [ApiKey] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = ApiKeyAuthentication.Header,
                Description = "The client's key. Locally, with no clients configured: local-development-key.",
            },
            [BrowserSession] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Cookie, Name = Access.BrowserSessions.CookieName(true),
                Description = "A browser signed in to the explorer (/explore/sign-in) reads with its session, as the client that signed in: GET only, never a command. " +
                    $"In local development, without Secure cookies, the cookie is {Access.BrowserSessions.CookieName(false)}.",
            },
            // Scopes are declared the standard way, on an OAuth2 client-credentials flow; its tokens are the
            // bearer JWTs the service accepts. An API key carries its client's configured scopes.
            [OAuth2] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "A bearer JWT from the configured issuer naming client_id, scope and organisations.",
                Flows = new OpenApiOAuthFlows
                {
                    ClientCredentials = new OpenApiOAuthFlow
                    {
                        TokenUrl = AbsoluteUri(configuration[TokenUrlSetting]) ?? new Uri("https://issuer.invalid/oauth2/token"),
                        Scopes = Scopes.Descriptions.ToDictionary(),
                    },
                },
            },
        };

        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
        {
            tag.Description ??= TagDescriptions.GetValueOrDefault(tag.Name ?? "", tag.Name ?? "");
        }

        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                Complete(document, path, method, operation);
            }
        }

        return Task.CompletedTask;
    }

    private static void Complete(OpenApiDocument document, string path, HttpMethod method, OpenApiOperation operation)
    {
        var scope = Scopes.For(method.Method, path);
        operation.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKey, document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OAuth2, document)] = [scope] },
        ];
        if (method == HttpMethod.Get)
        {
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BrowserSession, document)] = [] });
        }

        operation.Description = $"{operation.Description}{(operation.Description is { Length: > 0 } ? "\n\n" : "")}Needs the scope `{scope}`.";

        operation.Parameters ??= [];
        operation.Parameters.Add(Header(Organisation.Header, "The organisation to act for, among those the client is granted; needed when it is granted several."));
        var command = method != HttpMethod.Get;
        if (command)
        {
            operation.Parameters.Add(Header(IdempotencyKey.Header, "Send the same key with a retry: it answers with the first answer and appends nothing."));
        }

        operation.Responses ??= [];
        if (operation.Parameters.OfType<OpenApiParameter>().FirstOrDefault(p => p.Name == "after") is { } after)
        {
            after.Description = Paging.AfterDescription;
            if (operation.Parameters.OfType<OpenApiParameter>().FirstOrDefault(p => p.Name == "limit") is { } limit)
            {
                limit.Description = Paging.LimitDescription;
            }

            if (operation.Responses.TryGetValue("200", out var listed) && listed is OpenApiResponse page)
            {
                page.Headers ??= new Dictionary<string, IOpenApiHeader>();
                page.Headers["Link"] = new OpenApiHeader
                {
                    Description = "Present when more items follow: `<url>; rel=\"next\"`, the URL of the next page. Absent on the last page.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            }
        }

        if (operation.Responses.TryGetValue("201", out var created) && created is OpenApiResponse answer)
        {
            answer.Headers ??= new Dictionary<string, IOpenApiHeader>();
            if (answer.Content?.Values.Any(m => m.Schema is OpenApiSchemaReference { Reference.Id: "Created" or "Accepted" }) == true)
            {
                answer.Headers["ETag"] = new OpenApiHeader
                {
                    Description = "The item's version after this command, quoted; send it as If-Match with the next move.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            }

            answer.Headers["Location"] = new OpenApiHeader
            {
                Description = "The item created, or the item the move acted on.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
            };
        }

        // Wolverine lists a 404 for every endpoint answering a result object, in no format or the endpoint's own. An
        // operation can answer 404 only if it declares one itself (a problem), or if its path has a parameter: the
        // empty UUID there names nothing on any route (InputGuard).
        if (path.Contains('{', StringComparison.Ordinal))
        {
            Problem(document, operation, "404", "Nothing has that id here (the empty UUID names nothing).");
        }
        else if (operation.Responses.TryGetValue("404", out var notFound) && notFound is OpenApiResponse declared
                 && declared.Content?.ContainsKey("application/problem+json") != true)
        {
            operation.Responses.Remove("404");
        }

        Problem(document, operation, "400", "The request is invalid: a field, a query parameter the operation does not define (named in the problem), or the organisation header.");
        Problem(document, operation, "401", "No credentials, or unknown ones.");
        Problem(document, operation, "403", $"The client lacks the scope '{scope}', or may not act for the organisation named.");
        Problem(document, operation, "429", "The client made too many requests; retry after Retry-After seconds.")
            .Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
            };
        if (!Api.RunsLong(path))
        {
            Problem(document, operation, "504", "The request took longer than the configured timeout.");
        }

        Problem(document, operation, "503", "PostgreSQL is unreachable or has no connection free, or the organisation is moving to a database of its own; nothing was changed. Retry after Retry-After seconds.")
            .Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
            };

        if (command)
        {
            Problem(document, operation, "409", "Another command changed the stream first, or a request with the same idempotency key is still running.");
            Problem(document, operation, "422", "The idempotency key was first used with another request.");
        }
    }

    /// <summary>A configured address, or nothing when it is missing or not an absolute URI: a typo must not break the document.</summary>
    private static Uri? AbsoluteUri(string? configured) => Uri.TryCreate(configured, UriKind.Absolute, out var uri) ? uri : null;

    private static OpenApiParameter Header(string name, string description) => new()
    {
        Name = name, In = ParameterLocation.Header, Required = false, Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiResponse Problem(OpenApiDocument document, OpenApiOperation operation, string status, string description)
    {
        if (operation.Responses!.TryGetValue(status, out var existing) && existing is OpenApiResponse declared)
        {
            // An endpoint answering in a format of its own (FHIR's OperationOutcome) is still guarded by the pipeline,
            // whose refusals are problems.
            declared.Content ??= new Dictionary<string, OpenApiMediaType>();
            declared.Content.TryAdd("application/problem+json", new OpenApiMediaType { Schema = new OpenApiSchemaReference("ProblemDetails", document) });
            return declared;
        }

        var response = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", document) },
            },
        };
        operation.Responses[status] = response;
        return response;
    }
}
