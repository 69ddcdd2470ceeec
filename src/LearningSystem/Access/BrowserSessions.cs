using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LearningSystem.Access;

/// <summary>
/// A browser signed in with a client's key. The cookie holds only a random token; the database keeps its hash,
/// so that every node knows the session and signing out ends it everywhere at once. The key itself is never kept.
/// </summary>
/// <remarks>
/// A session started with a key takes its client's scopes and grants from configuration each time. One started
/// through OpenID Connect keeps the scopes and organisations its ID token gave, as a bearer token would carry them.
/// </remarks>
public sealed record BrowserSession(
    string Id, string Client, string Organisation, string Antiforgery, DateTimeOffset SignedInAt, DateTimeOffset ExpiresAt,
    IReadOnlyList<string>? Scopes = null, IReadOnlyList<string>? Organisations = null);

public static class BrowserSessions
{
    public const string Scheme = "Explorer";
    public const string OrganisationClaim = "explorer_organisation";
    public const string AntiforgeryClaim = "explorer_antiforgery";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>The <c>__Host-</c> prefix binds a Secure cookie to this host and path "/"; plain HTTP in local development cannot carry it.</summary>
    public static string CookieName(bool secure) => secure ? "__Host-learningsystem-explorer" : "learningsystem-explorer";

    /// <summary>Secure everywhere except local development, where the service answers plain HTTP on this machine.</summary>
    public static bool SecureCookies(IConfiguration configuration, IHostEnvironment environment) =>
        configuration.GetValue<bool?>("Explorer:SecureCookie")
        ?? !(environment.IsDevelopment() || string.IsNullOrWhiteSpace(configuration.GetConnectionString(LearningSystem.Storage.EventStore.ConnectionStringName)));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static StoreOptions AddBrowserSessions(this StoreOptions options)
    {
        // A session belongs to a client, not to one organisation's data.
        options.Schema.For<BrowserSession>().SingleTenanted();
        options.Schema.For<DataProtectionKey>().SingleTenanted();
        return options;
    }

    /// <summary>
    /// Stores a new session and sets its cookie, for a key's sign-in and a provider's alike. <paramref name="scopes"/>
    /// and <paramref name="grants"/> are kept only for sessions whose client is not configured (a provider's).
    /// </summary>
    public static async Task StartAsync(HttpContext http, string client, string organisation, IReadOnlyList<string>? scopes, IReadOnlyList<string>? grants)
    {
        var services = http.RequestServices;
        var token = NewToken();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        await using (var session = services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Store(new BrowserSession(Hash(token), client, organisation, NewToken(), now, now + Lifetime, scopes, grants));
            await session.SaveChangesAsync(http.RequestAborted);
        }

        var secure = SecureCookies(services.GetRequiredService<IConfiguration>(), services.GetRequiredService<IHostEnvironment>());
        http.Response.Cookies.Append(CookieName(secure), token, CookieOptions(secure, Lifetime));
    }

    public static string? Asked(AuthenticationProperties? properties) =>
        properties?.Items.TryGetValue(BrowserSessionAuthentication.OrganisationItem, out var named) == true && !string.IsNullOrEmpty(named) ? named : null;

    /// <summary>Why an identity may not use the explorer (no organisation it may act for, or no 'read'), or null.</summary>
    public static string? Refusal(ClaimsPrincipal user, AuthenticationProperties? properties) =>
        user.ClientId() is null ? "identity"
        : Choose(Asked(properties), user.Grants()) is null ? "organisation"
        : !user.HasScope(Access.Scopes.Read) ? "scope"
        : null;

    /// <summary>The organisation a sign-in acts for: the one asked for if granted, else as the API chooses (the only grant, or the default for every-organisation clients).</summary>
    public static string? Choose(string? asked, IReadOnlyList<string> grants)
    {
        var every = grants.Contains(ClientClaims.EveryOrganisation);
        var chosen = asked ?? (every ? LearningSystem.Organisations.Organisation.Default : grants.Count == 1 ? grants[0] : null);
        return chosen is not null && LearningSystem.Organisations.Organisation.IsValid(chosen) && (every || grants.Contains(chosen)) ? chosen : null;
    }

    public static CookieOptions CookieOptions(bool secure, TimeSpan lifetime) => new()
    {
        HttpOnly = true,
        Secure = secure,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        MaxAge = lifetime,
        IsEssential = true,
    };

    /// <summary>Constant-time, so that a forged form learns nothing from how long the refusal took.</summary>
    public static bool Same(string? a, string? b) =>
        a is not null && b is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}

/// <summary>
/// Signs a browser in by its session cookie, as the client whose key started the session (or as the identity an
/// OpenID Connect provider vouched for). It is also where an OpenID Connect sign-in ends: the session is stored
/// and its cookie set, as a key's sign-in does.
/// </summary>
public sealed class BrowserSessionAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiClientRegistry clients, IDocumentStore store, TimeProvider clock, IConfiguration configuration, IHostEnvironment environment)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder), IAuthenticationSignInHandler
{
    public const string OrganisationItem = "organisation";

    /// <summary>Stores the session of a sign-in already admitted (see <see cref="BrowserSessions.Refusal"/>) and sets its cookie.</summary>
    public async Task SignInAsync(ClaimsPrincipal user, AuthenticationProperties? properties)
    {
        var scopes = user.FindAll(ClientClaims.Scope).Select(c => c.Value).ToArray();
        var grants = user.Grants().ToArray();
        if (BrowserSessions.Refusal(user, properties) is not null || user.ClientId() is not { } client
            || BrowserSessions.Choose(BrowserSessions.Asked(properties), grants) is not { } organisation)
        {
            throw new InvalidOperationException("A sign-in the explorer refuses reached the session store.");
        }

        await BrowserSessions.StartAsync(Context, client, organisation, scopes, grants);
    }

    public Task SignOutAsync(AuthenticationProperties? properties) => Task.CompletedTask;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Request.Cookies[BrowserSessions.CookieName(BrowserSessions.SecureCookies(configuration, environment))];
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return AuthenticateResult.NoResult();
        }

        await using var query = store.QuerySession();
        var session = await query.LoadAsync<BrowserSession>(BrowserSessions.Hash(token), Context.RequestAborted);
        if (session is null || session.ExpiresAt <= clock.GetUtcNow())
        {
            return AuthenticateResult.Fail("The browser session is unknown or has ended.");
        }

        ClaimsIdentity identity;
        if (session.Scopes is { } scopes)
        {
            identity = ClientClaims.Identity(BrowserSessions.Scheme, session.Client, scopes, session.Organisations ?? [], null);
        }
        else if (clients.FindById(session.Client) is { } client)
        {
            identity = ApiClientRegistry.IdentityOf(client, BrowserSessions.Scheme);
        }
        else
        {
            return AuthenticateResult.Fail("The session's client is no longer configured.");
        }

        identity.AddClaim(new Claim(BrowserSessions.OrganisationClaim, session.Organisation));
        identity.AddClaim(new Claim(BrowserSessions.AntiforgeryClaim, session.Antiforgery));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), BrowserSessions.Scheme));
    }
}

/// <summary>One ASP.NET Core data protection key, as its XML: kept with the sessions, so that every node shares the keys that protect sign-ins.</summary>
public sealed record DataProtectionKey(string Id, string Xml);
