using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.IdentityModel.Tokens;
using LearningSystem.Http;
using LearningSystem.Organisations;

namespace LearningSystem.Access;

/// <summary>
/// Who may call: integrating clients sign in with a key or a bearer token, each endpoint needs one scope, the
/// organisation a request acts for must be one the client is granted, and each client has a rate limit.
/// </summary>
public static class AccessModule
{
    public const string Scheme = "LearningSystem";
    public const int DefaultRequestsPerMinute = 6_000;

    public static void AddAccess(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddSingleton(ApiClientRegistry.From(configuration));
        var jwt = configuration.GetSection("Authentication:Jwt");
        var bearer = jwt.Exists();
        var authentication = builder.Services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key, bearer token or browser session", o => o.ForwardDefaultSelector = context =>
                bearer && context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ByBrowserSession(context.Request) ? BrowserSessions.Scheme
                    : ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, BrowserSessionAuthentication>(BrowserSessions.Scheme, null);
        if (bearer)
        {
            authentication.AddJwtBearer(o => ConfigureBearer(o, jwt));
        }

        builder.Services.AddAuthorization(o =>
        {
            foreach (var scope in Scopes.All)
            {
                o.AddPolicy(scope, p => p.RequireAuthenticatedUser().RequireClaim(ClientClaims.Scope, scope));
            }
        });
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AccessProblems>();

        var defaultLimit = configuration.GetValue("Limits:RequestsPerMinute", DefaultRequestsPerMinute);
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => context.User.ClientId() is { } client
                ? RateLimitPartition.GetTokenBucketLimiter(client, _ => PerMinute(RequestsPerMinute(context.User) ?? defaultLimit))
                : RateLimitPartition.GetNoLimiter("anonymous"));
            o.OnRejected = (rejection, ct) =>
            {
                var retryAfter = rejection.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                rejection.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ProblemResponse.WriteAsync(rejection.HttpContext, StatusCodes.Status429TooManyRequests,
                    "Too many requests.", $"This client may make {RequestsPerMinute(rejection.HttpContext.User) ?? defaultLimit} requests a minute. Retry after the time in Retry-After.");
            };
        });
    }

    /// <summary>
    /// A browser's session cookie signs in the explorer's pages and reads of the API (downloads the pages link to),
    /// never a command: SameSite=Strict already keeps other sites' requests from carrying it, and commands still
    /// need a key or a token. A request that presents a key or token is judged by that alone.
    /// </summary>
    private static bool ByBrowserSession(HttpRequest request) =>
        !request.Headers.ContainsKey(ApiKeyAuthentication.Header) && request.Headers.Authorization.Count == 0
        && (request.Cookies.ContainsKey(BrowserSessions.CookieName(true)) || request.Cookies.ContainsKey(BrowserSessions.CookieName(false)))
        && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || request.Path.StartsWithSegments("/explore", StringComparison.Ordinal));

    /// <summary>Sign-in, the organisation the request acts for, the client's rate limit, then each endpoint's scope.</summary>
    public static void UseAccess(this WebApplication app)
    {
        app.UseAuthentication();
        app.Use(ResolveOrganisation);
        app.UseRateLimiter();
        app.UseAuthorization();
    }

    /// <summary>
    /// The organisation comes from the client's grant: the one named in <c>X-Organisation</c> if the client is
    /// granted it, else the only one it is granted. The header chooses among grants; it never widens them.
    /// </summary>
    private static async Task ResolveOrganisation(HttpContext context, RequestDelegate next)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }

        var grants = context.User.Grants();
        var every = grants.Contains(ClientClaims.EveryOrganisation);
        // A browser session acts for the organisation chosen at sign-in, unless a request names another grant.
        var named = context.Request.Headers[Organisation.Header].ToString() is { Length: > 0 } header ? header
            : context.User.FindFirst(BrowserSessions.OrganisationClaim)?.Value ?? "";
        var organisation = named.Length > 0 ? named
            : every ? Organisation.Default
            : grants.Count == 1 ? grants[0]
            : null;
        if (organisation is null)
        {
            await ProblemResponse.WriteAsync(context, StatusCodes.Status400BadRequest, "Name the organisation.",
                $"This client acts for {(grants.Count == 0 ? "no organisation" : string.Join(", ", grants))}; name one in {Organisation.Header}.");
            return;
        }

        if (!every && !grants.Contains(organisation))
        {
            await ProblemResponse.WriteAsync(context, StatusCodes.Status403Forbidden, "This client may not act for that organisation.",
                $"This client is not granted organisation '{organisation}'.");
            return;
        }

        context.User.AddIdentity(new ClaimsIdentity([new Claim(ClientClaims.Organisation, organisation)]));
        await next(context);
    }

    private static int? RequestsPerMinute(ClaimsPrincipal user) =>
        int.TryParse(user.FindFirst(ClientClaims.RequestsPerMinute)?.Value, System.Globalization.CultureInfo.InvariantCulture, out var limit) ? limit : null;

    private static TokenBucketRateLimiterOptions PerMinute(int requests) => new()
    {
        TokenLimit = requests,
        TokensPerPeriod = Math.Max(1, requests / 60),
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>
    /// Bearer tokens from a configured issuer: <c>Authority</c> (discovered keys) or <c>SigningKey</c> (a shared
    /// secret, base64), with <c>Issuer</c> and <c>Audience</c>. The client is <c>client_id</c> (else <c>azp</c>,
    /// else <c>sub</c>); scopes are <c>scope</c> or <c>scp</c>, ours or SMART system scopes (<see cref="Scopes.FromSmart"/>);
    /// organisations are <c>organisations</c>.
    /// </summary>
    private static void ConfigureBearer(JwtBearerOptions o, IConfigurationSection jwt)
    {
        o.MapInboundClaims = false;
        if (jwt["Authority"] is { Length: > 0 } authority)
        {
            o.Authority = authority;
            o.RequireHttpsMetadata = jwt.GetValue("RequireHttpsMetadata", true);
        }

        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt["Issuer"],
            ValidAudience = jwt["Audience"],
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            IssuerSigningKey = jwt["SigningKey"] is { Length: > 0 } secret ? new SymmetricSecurityKey(Convert.FromBase64String(secret)) : null,
        };
        o.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                var token = context.Principal!;
                string[] Values(params string[] types) =>
                    types.SelectMany(t => token.FindAll(t)).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct().ToArray();
                var client = Values(ClientClaims.Client, "azp", "sub").FirstOrDefault();
                if (client is null)
                {
                    context.Fail("The token names no client.");
                    return Task.CompletedTask;
                }

                // Our own scopes, and those a SMART Backend Services token's system scopes grant.
                var scopes = Values("scope", "scp");
                context.Principal = new ClaimsPrincipal(ClientClaims.Identity(JwtBearerDefaults.AuthenticationScheme, client,
                    scopes.Intersect(Scopes.All).Union(Scopes.FromSmart(scopes)), Values("organisations"), null));
                return Task.CompletedTask;
            },
        };
    }
}

/// <summary>401, 403 and 429 as problem responses that say what is missing.</summary>
public sealed class AccessProblems : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            await context.ChallengeAsync();
            await ProblemResponse.WriteAsync(context, StatusCodes.Status401Unauthorized, "Sign in to call this endpoint.",
                $"Present the client's key in {ApiKeyAuthentication.Header}, or a bearer token in Authorization.");
            return;
        }

        if (authorizeResult.Forbidden)
        {
            var needed = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ClaimsAuthorizationRequirement>()
                .SelectMany(r => r.AllowedValues ?? []).ToArray() ?? [];
            await ProblemResponse.WriteAsync(context, StatusCodes.Status403Forbidden, "This client lacks the scope this endpoint needs.",
                $"This endpoint needs the scope {string.Join(" or ", needed.Select(s => $"'{s}'"))}.");
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
