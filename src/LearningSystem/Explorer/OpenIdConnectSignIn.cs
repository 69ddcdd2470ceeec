using System.Security.Claims;
using System.Xml.Linq;
using LearningSystem.Access;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace LearningSystem.Explorer;

/// <summary>
/// Where <c>Authentication:Jwt:Authority</c> names an OpenID Connect provider, people may also sign in to the
/// explorer there (authorization code with PKCE). Their ID token must carry what a bearer token carries for the
/// API: scopes in <c>scope</c> or <c>scp</c>, and organisations in <c>organisations</c>. The sign-in ends in an
/// ordinary browser session, so every node knows it and signing out ends it.
/// </summary>
public static class OpenIdConnectSignIn
{
    public const string Scheme = "ExplorerOpenIdConnect";
    public const string CallbackPath = "/explore/signin-oidc";

    public static bool Offered(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["Authentication:Jwt:Authority"]) && !string.IsNullOrWhiteSpace(ClientId(configuration));

    private static string? ClientId(IConfiguration configuration) => configuration["Explorer:OpenIdConnect:ClientId"] ?? configuration["Authentication:Jwt:Audience"];

    public static void AddOpenIdConnectSignIn(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (!Offered(configuration))
        {
            return;
        }

        // The provider's state and nonce are protected with keys every node shares, so the callback may reach any node.
        builder.Services.AddDataProtection().SetApplicationName("LearningSystem");
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IDocumentStore>((o, store) => o.XmlRepository = new KeysInTheDatabase(store));
        builder.Services.AddAuthentication().AddOpenIdConnect(Scheme, "Your organisation's identity provider", o =>
        {
            var jwt = configuration.GetSection("Authentication:Jwt");
            o.Authority = jwt["Authority"];
            o.ClientId = ClientId(configuration);
            o.ClientSecret = configuration["Explorer:OpenIdConnect:ClientSecret"];
            o.RequireHttpsMetadata = jwt.GetValue("RequireHttpsMetadata", true);
            o.ResponseType = "code";
            o.UsePkce = true;
            o.ResponseMode = "query";
            o.CallbackPath = CallbackPath;
            o.SignInScheme = BrowserSessions.Scheme;
            o.MapInboundClaims = false;
            o.SaveTokens = false;
            o.Scope.Clear();
            foreach (var scope in (configuration["Explorer:OpenIdConnect:Scopes"] ?? "openid profile").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                o.Scope.Add(scope);
            }

            o.Events.OnTokenValidated = context =>
            {
                var token = context.Principal!;
                string[] Values(params string[] types) =>
                    types.SelectMany(t => token.FindAll(t)).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct().ToArray();
                // A person, named as the provider names them.
                var person = Values("preferred_username", "email", "sub").FirstOrDefault();
                context.Principal = person is null ? new ClaimsPrincipal(new ClaimsIdentity())
                    : new ClaimsPrincipal(ClientClaims.Identity(Scheme, person, Values("scope", "scp").Intersect(Scopes.All), Values("organisations"), null));
                return Task.CompletedTask;
            };
            o.Events.OnTicketReceived = context =>
            {
                if (BrowserSessions.Refusal(context.Principal!, context.Properties) is { } refusal)
                {
                    context.Response.Redirect(Href.SignInRefused(refusal));
                    context.HandleResponse();
                }

                return Task.CompletedTask;
            };
            o.Events.OnRemoteFailure = context =>
            {
                context.Response.Redirect(Href.SignInRefused("provider"));
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
    }

    /// <summary>Data protection keys kept in PostgreSQL, where every node finds them.</summary>
    private sealed class KeysInTheDatabase(IDocumentStore store) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements()
        {
            // Marten reads only asynchronously; the key ring asks rarely (it caches the ring for hours).
            using var query = store.QuerySession();
            return [.. query.Query<DataProtectionKey>().ToListAsync().GetAwaiter().GetResult().Select(k => XElement.Parse(k.Xml))];
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            // The key ring's interface is synchronous; it stores rarely (a new key every 90 days).
            using var session = store.LightweightSession();
            session.Store(new DataProtectionKey(friendlyName, element.ToString(SaveOptions.DisableFormatting)));
            session.SaveChangesAsync().GetAwaiter().GetResult();
        }
    }
}
