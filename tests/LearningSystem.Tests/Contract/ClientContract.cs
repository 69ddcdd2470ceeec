using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NJsonSchema.CodeGeneration.CSharp;
using NSwag;
using NSwag.CodeGeneration.CSharp;

namespace LearningSystem.Tests.Contract;

/// <summary>
/// The contract integrators code against: a C# client generated with NSwag from the served document, compiled,
/// and Jenny's story played through it against the real service. Every request it sends and every answer it
/// gets is checked against the document's schema for that operation and status.
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed partial class ClientContract(ServiceFixture service)
{
    [Fact]
    public async Task Jennys_story_runs_through_a_client_generated_from_the_document_and_every_exchange_matches_its_schema()
    {
        var (json, _) = await service.Host.GetTextAsync("/openapi/v1.json");
        var document = await OpenApiDocument.FromJsonAsync(json);
        var settings = new CSharpClientGeneratorSettings
        {
            ClassName = "LearningSystemApi",
            CSharpGeneratorSettings = { Namespace = "Generated", JsonLibrary = CSharpJsonLibrary.SystemTextJson },
        };
        // NSwag marks enum wire names with EnumMember, which System.Text.Json ignores; its own attribute says the same.
        var client = EnumMember().Replace(new CSharpClientGenerator(document, settings).GenerateFile(), "System.Text.Json.Serialization.JsonStringEnumMemberName(@\"$1\")");
        var story = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Contract", "GeneratedClientStory.cs"));
        var play = Compile(client, story).GetType("Generated.GeneratedClientStory")!.GetMethod("PlayAsync")!;

        var exchanges = new ConcurrentQueue<string>();
        var mismatches = new ConcurrentQueue<string>();
        using var http = new HttpClient(new Checking(document, exchanges, mismatches) { InnerHandler = service.Host.Server.CreateHandler() })
        {
            BaseAddress = new Uri("http://localhost/"),
        };
        http.DefaultRequestHeaders.Add("X-Api-Key", ServiceFixture.KeyOf("tests"));

        string outcome;
        try
        {
            outcome = await (Task<string>)play.Invoke(null, [http, Stories.NewOrganisation("contract")])!;
        }
        catch (Exception refused)
        {
            Assert.Fail($"{refused.Message}\n{string.Join("\n", exchanges.TakeLast(3))}");
            throw;
        }

        Assert.Equal("agreed|set,endorsed,objectionRaised,amendmentProposed,amendmentAccepted,decided|2|6|True", outcome);
        Assert.True(mismatches.IsEmpty, string.Join("\n", mismatches));
        Assert.True(exchanges.Count >= 15, $"only {exchanges.Count} exchanges were checked");
    }

    [Fact]
    public async Task The_schema_check_can_fail()
    {
        var (json, _) = await service.Host.GetTextAsync("/openapi/v1.json");
        var document = await OpenApiDocument.FromJsonAsync(json);
        var mismatches = new ConcurrentQueue<string>();

        Checking.Check(document, "POST", "/api/participants", """{"displayName": 7, "stakeholderGroup": "wizard"}""", null, mismatches);

        Assert.Equal(2, mismatches.Count);
    }

    private static Assembly Compile(params string[] sources)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create($"GeneratedClient{Guid.NewGuid():N}", sources.Select(s => CSharpSyntaxTree.ParseText(s, parse)), references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));
        image.Position = 0;
        return new AssemblyLoadContext(compilation.AssemblyName, isCollectible: true).LoadFromStream(image);
    }

    /// <summary>Checks each request body against its operation's request schema, and each answer against the schema for its status.</summary>
    internal sealed class Checking(OpenApiDocument document, ConcurrentQueue<string> exchanges, ConcurrentQueue<string> mismatches) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var answer = await response.Content.ReadAsStringAsync(cancellationToken);
            Check(document, request.Method.Method, request.RequestUri!.AbsolutePath, body, null, mismatches);
            Check(document, request.Method.Method, request.RequestUri!.AbsolutePath, null, answer, mismatches, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
                response.Content.Headers.ContentType?.MediaType);
            exchanges.Enqueue($"{request.Method} {request.RequestUri.AbsolutePath} {body} -> {(int)response.StatusCode} {(response.IsSuccessStatusCode ? "" : answer)}");
            return response;
        }

        public static void Check(
            OpenApiDocument document, string method, string path, string? request, string? answer, ConcurrentQueue<string> mismatches,
            string? status = null, string? mediaType = null)
        {
            // The most literal template that matches: /api/priorities/{id}/decision before /api/{kind}/{id}/decision.
            var (template, item) = document.Paths
                .Where(p => Regex.IsMatch(path, "^" + Regex.Replace(Regex.Escape(p.Key), @"\\\{\w+}", "[^/]+") + "$"))
                .Where(p => p.Value.ContainsKey(method.ToLowerInvariant()))
                .OrderBy(p => p.Key.Count(c => c == '{')).Select(p => (p.Key, p.Value)).FirstOrDefault();
            if (item is null)
            {
                mismatches.Enqueue($"{method} {path}: no operation in the document");
                return;
            }

            var operation = item[method.ToLowerInvariant()];
            if (request is { Length: > 0 })
            {
                var schema = operation.RequestBody?.Content is { } contents && contents.TryGetValue("application/json", out var body) ? body.Schema : null;
                Validate($"{method} {template} request", schema, request, mismatches);
            }

            if (status is not null)
            {
                if (!operation.Responses.TryGetValue(status, out var response))
                {
                    mismatches.Enqueue($"{method} {template}: answered {status}, which the document does not list");
                    return;
                }

                if (answer is { Length: > 0 } && mediaType is not null && response.Content.TryGetValue(mediaType, out var content))
                {
                    // Text, CSV and NDJSON are listed with their media types; only JSON bodies have a schema to check.
                    if (mediaType.EndsWith("json", StringComparison.Ordinal) && !mediaType.Contains("ndjson", StringComparison.Ordinal))
                    {
                        Validate($"{method} {template} {status}", content.Schema, answer, mismatches);
                    }
                }
                else if (answer is { Length: > 0 } && mediaType is not null)
                {
                    mismatches.Enqueue($"{method} {template} {status}: answered {mediaType}, which the document does not list");
                }
            }
        }

        private static void Validate(string what, NJsonSchema.JsonSchema? schema, string json, ConcurrentQueue<string> mismatches)
        {
            if (schema is null)
            {
                mismatches.Enqueue($"{what}: the document gives no schema");
                return;
            }

            foreach (var error in schema.ActualSchema.Validate(json))
            {
                mismatches.Enqueue($"{what}: {error.Path} {error.Kind}");
            }
        }
    }

    [GeneratedRegex(@"System\.Runtime\.Serialization\.EnumMember\(Value = @""([^""]*)""\)")]
    private static partial Regex EnumMember();
}
