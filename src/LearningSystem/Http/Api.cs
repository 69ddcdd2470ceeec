using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using LearningSystem.Access;
using JasperFx;
using Scalar.AspNetCore;
using Wolverine;
using Wolverine.Http;
using LearningSystem.Http.Describing;
using LearningSystem.Http.Idempotency;
using LearningSystem.Operations;
using LearningSystem.Organisations;
using LearningSystem.Attribution;

namespace LearningSystem.Http;

/// <summary>The HTTP surface: JSON conventions, validation, problem responses, organisations and OpenAPI.</summary>
public static class Api
{
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;
    public const int DefaultRequestTimeoutSeconds = 30;

    public static void AddApi(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://localhost:5080");
        builder.Host.UseWolverine(options =>
        {
            options.Policies.AutoApplyTransactions();
        });
        // Handlers and endpoints run the code in Internal/Generated, written by `codegen write`: no Roslyn at
        // start-up, and a missing type stops start-up instead of answering 404. A test fails when it is stale.
        builder.Services.CritterStackDefaults(x =>
        {
            foreach (var profile in new[] { x.Development, x.Production })
            {
                profile.GeneratedCodeMode = JasperFx.CodeGeneration.TypeLoadMode.Static;
                profile.AssertAllPreGeneratedTypesExist = true;
            }
        });

        builder.Services.AddWolverineHttp();
        builder.Services.AddValidatorsFromAssemblyContaining<ValidationPolicy>(ServiceLifetime.Singleton);
        Validation.UseWireConventions();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        // Wolverine's endpoints read and write JSON with these same options.
        builder.Services.ConfigureHttpJsonOptions(o => Configure(o.SerializerOptions));
        builder.Services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<ApiDocument>();
            o.AddSchemaTransformer<CommandSchemas>();
            o.AddSchemaTransformer<OpenObjects>();
            o.AddOperationTransformer<AcceptedBodies>();
            o.AddOperationTransformer<OperationTexts>();
            o.AddOperationTransformer<ApiExamples>();
        });
        builder.Services.AddSingleton<QueryParameters>();
        builder.Services.AddIdempotency();
        builder.Services.AddHealth();
        var timeout = TimeSpan.FromSeconds(builder.Configuration.GetValue("Limits:RequestTimeoutSeconds", DefaultRequestTimeoutSeconds));
        builder.Services.AddRequestTimeouts(o => o.DefaultPolicy = new Microsoft.AspNetCore.Http.Timeouts.RequestTimeoutPolicy
        {
            Timeout = timeout,
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            WriteTimeoutResponse = context => ProblemResponse.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "The request took too long.",
                $"Requests are stopped after {timeout.TotalSeconds:N0} seconds; nothing was appended unless the answer said so. Retry with the same Idempotency-Key.").AsTask(),
        });
    }

    public static void UseApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(Organisation.RequireValidHeader);
        app.UseMiddleware<RequestBodyLimit>(app.Configuration.GetValue("LearningSystem:MaxRequestBodyBytes", DefaultMaxRequestBodyBytes));
        app.UseAccess();
        app.Use(InputGuard.CheckAsync);
        app.Use(QueryParameters.CheckAsync);
        app.Use(RequestLog.ScopeRequest);
        app.UseRequestTimeouts();
        app.UseMiddleware<IdempotentCommands>();
        app.UseMiddleware<RetryingConflicts>();
        app.MapHealth();
        app.MapOpenApi();
        // The interactive reference at /scalar/v1, reading the document above.
        app.MapScalarApiReference(o => o.WithTitle("LearningSystem API"));
        app.MapWolverineEndpoints(options =>
        {
            // '?roundId=abc' is a 400, not a silent "no filter".
            options.RejectUnparseableQueryValues = true;
            // The organisation access resolved from the client's grant, never a header taken on trust.
            options.TenantId.IsClaimTypeNamed(ClientClaims.Organisation);
            options.TenantId.AssertExists();
            options.ConfigureEndpoints(chain =>
            {
                var route = chain.RoutePattern!.RawText!;
                chain.RequireAuthorization(Scopes.For(chain.HttpMethods.First(), route));
                if (RunsLong(route))
                {
                    chain.DisableRequestTimeout();
                }
            });
            options.AddPolicy<ValidationPolicy>();
            options.AddPolicy<ProvenancePolicy>();
            options.AddPolicy<CommandProblemsPolicy>();
        });
    }

    /// <summary>Streams of the whole store, and rebuilds, take as long as the store is large; a FHIR batch as long as it is long.</summary>
    public static bool RunsLong(string route) =>
        route.StartsWith("/api/export/", StringComparison.Ordinal) || route.StartsWith("/api/admin/", StringComparison.Ordinal)
        || route.EndsWith(".csv", StringComparison.Ordinal) || route.EndsWith(".ndjson", StringComparison.Ordinal)
        || route is "/api/audit/verify" or "/api/audit/export" or "/api/audit/consistency" or "/fhir";

    private static void Configure(JsonSerializerOptions json)
    {
        json.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        // A number is a JSON number: the document says "integer", and "5" is refused rather than guessed at.
        json.NumberHandling = JsonNumberHandling.Strict;
    }
}
