using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LearningSystem.Access;

/// <summary>Signs a client in by the key it presents in <c>X-Api-Key</c>.</summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiClientRegistry clients)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = Request.Headers[Header].ToString();
        if (key.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (clients.Find(key) is not { } client)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not known."));
        }

        var identity = ClientClaims.Identity(SchemeName, client.Id, client.Options.Scopes, client.Options.Organisations, client.Options.RequestsPerMinute);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new System.Security.Claims.ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{Header}\", Bearer";
        return Task.CompletedTask;
    }
}
