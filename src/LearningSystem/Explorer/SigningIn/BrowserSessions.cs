using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using LearningSystem.Access;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LearningSystem.Explorer.SigningIn;

/// <summary>
/// A browser signed in with a client's key. The cookie holds only a random token; the database keeps its hash,
/// so that every node knows the session and signing out ends it everywhere at once. The key itself is never kept.
/// </summary>
public sealed record BrowserSession(string Id, string Client, string Organisation, string Antiforgery, DateTimeOffset SignedInAt, DateTimeOffset ExpiresAt);

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
        ?? !(environment.IsDevelopment() || string.IsNullOrWhiteSpace(configuration.GetConnectionString(Hosting.EventStore.ConnectionStringName)));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static StoreOptions AddBrowserSessions(this StoreOptions options)
    {
        // A session belongs to a client, not to one organisation's data.
        options.Schema.For<BrowserSession>().SingleTenanted();
        return options;
    }

    /// <summary>Constant-time, so that a forged form learns nothing from how long the refusal took.</summary>
    public static bool Same(string? a, string? b) =>
        a is not null && b is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}

/// <summary>Signs a browser in by its session cookie, as the client whose key started the session.</summary>
public sealed class BrowserSessionAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiClientRegistry clients, IDocumentStore store, TimeProvider clock, IConfiguration configuration, IHostEnvironment environment)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Request.Cookies[BrowserSessions.CookieName(BrowserSessions.SecureCookies(configuration, environment))];
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return AuthenticateResult.NoResult();
        }

        await using var query = store.QuerySession();
        var session = await query.LoadAsync<BrowserSession>(BrowserSessions.Hash(token), Context.RequestAborted);
        if (session is null || session.ExpiresAt <= clock.GetUtcNow() || clients.FindById(session.Client) is not { } client)
        {
            return AuthenticateResult.Fail("The browser session is unknown or has ended.");
        }

        var identity = ApiClientRegistry.IdentityOf(client, BrowserSessions.Scheme);
        identity.AddClaim(new Claim(BrowserSessions.OrganisationClaim, session.Organisation));
        identity.AddClaim(new Claim(BrowserSessions.AntiforgeryClaim, session.Antiforgery));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), BrowserSessions.Scheme));
    }
}
