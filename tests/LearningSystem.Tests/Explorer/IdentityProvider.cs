using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LearningSystem.Tests.Explorer;

/// <summary>
/// A small OpenID Connect provider on a real port, for the explorer's sign-in: discovery, keys, an authorization
/// endpoint that signs in whoever <see cref="NextPerson"/> says without asking, and a token endpoint that checks
/// the PKCE verifier and answers an RS256-signed ID token with the person's scopes and organisations.
/// </summary>
public sealed class IdentityProvider : IAsyncDisposable
{
    public const string ClientId = "learningsystem-explorer";

    private readonly WebApplication _app;
    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, (string Nonce, string Challenge, Person Person)> _codes = new();

    public sealed record Person(string Username, string Scopes, string Organisations);

    public string Issuer { get; }

    /// <summary>Who the next sign-in will be.</summary>
    public Person NextPerson { get; set; } = new("ada@st-marys", "read audit:read", "st-marys");

    private IdentityProvider(string issuer)
    {
        Issuer = issuer;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(issuer);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        var signing = new RsaSecurityKey(_key) { KeyId = "tests-1" };
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["authorization_endpoint"] = $"{Issuer}/authorize",
            ["token_endpoint"] = $"{Issuer}/token",
            ["jwks_uri"] = $"{Issuer}/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
        }));
        _app.MapGet("/jwks", () =>
        {
            var p = _key.ExportParameters(false);
            return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = "tests-1", n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } } });
        });
        _app.MapGet("/authorize", (HttpContext http) =>
        {
            var q = http.Request.Query;
            if (q["client_id"] != ClientId || q["response_type"] != "code" || q["code_challenge_method"] != "S256")
            {
                return Results.BadRequest();
            }

            var code = Guid.NewGuid().ToString("N");
            _codes[code] = (q["nonce"].ToString(), q["code_challenge"].ToString(), NextPerson);
            return Results.Redirect($"{q["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(q["state"].ToString())}");
        });
        _app.MapPost("/token", async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            if (!_codes.TryRemove(form["code"].ToString(), out var granted)
                || Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != granted.Challenge)
            {
                return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
            }

            var now = DateTime.UtcNow;
            var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = Issuer,
                Audience = ClientId,
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddMinutes(5),
                Subject = new ClaimsIdentity([
                    new Claim("sub", granted.Person.Username), new Claim("preferred_username", granted.Person.Username), new Claim("nonce", granted.Nonce),
                    new Claim("scp", granted.Person.Scopes), new Claim("organisations", granted.Person.Organisations)]),
                SigningCredentials = new SigningCredentials(signing, SecurityAlgorithms.RsaSha256),
            });
            return Results.Json(new { id_token = idToken, access_token = Guid.NewGuid().ToString("N"), token_type = "Bearer", expires_in = 300 });
        });
    }

    public static async Task<IdentityProvider> StartAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var provider = new IdentityProvider($"http://127.0.0.1:{port}");
        await provider._app.StartAsync();
        return provider;
    }

    /// <summary>The service's settings that trust this provider, for bearer tokens and the explorer's sign-in.</summary>
    public string[] Settings() =>
    [
        $"--Authentication:Jwt:Authority={Issuer}",
        $"--Authentication:Jwt:Issuer={Issuer}",
        $"--Authentication:Jwt:Audience={ClientId}",
        "--Authentication:Jwt:RequireHttpsMetadata=false",
    ];

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _key.Dispose();
    }
}
