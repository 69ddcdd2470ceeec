using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;

namespace LearningSystem.Access;

/// <summary>
/// An integrating system as configured under <c>Clients:{id}</c>: the SHA-256 of its key (never the key),
/// its scopes, the organisations it may act for (<c>*</c>: every one, for the platform's own operators) and,
/// optionally, its own rate limit.
/// </summary>
public sealed class ApiClientOptions
{
    public string KeyHash { get; set; } = "";
    public List<string> Scopes { get; set; } = [];
    public List<string> Organisations { get; set; } = [];
    public int? RequestsPerMinute { get; set; }
}

/// <summary>The claims every way of signing in ends with, whatever the credential.</summary>
public static class ClientClaims
{
    public const string Client = "client_id";
    public const string Scope = "scope";
    public const string Grant = "organisation_grant";
    public const string Organisation = "organisation";
    public const string RequestsPerMinute = "requests_per_minute";
    public const string EveryOrganisation = "*";

    public static ClaimsIdentity Identity(string scheme, string client, IEnumerable<string> scopes, IEnumerable<string> organisations, int? requestsPerMinute)
    {
        var claims = new List<Claim> { new(Client, client), new(ClaimTypes.NameIdentifier, client) };
        claims.AddRange(scopes.Select(s => new Claim(Scope, s)));
        claims.AddRange(organisations.Select(o => new Claim(Grant, o)));
        if (requestsPerMinute is { } limit)
        {
            claims.Add(new Claim(RequestsPerMinute, limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return new ClaimsIdentity(claims, scheme, Client, null);
    }

    public static string? ClientId(this ClaimsPrincipal user) => user.FindFirst(Client)?.Value;

    public static bool HasScope(this ClaimsPrincipal user, string scope) => user.HasClaim(Scope, scope);

    public static IReadOnlyList<string> Grants(this ClaimsPrincipal user) => user.FindAll(Grant).Select(c => c.Value).ToArray();
}

/// <summary>The configured clients, found by the hash of the key they present.</summary>
public sealed class ApiClientRegistry
{
    /// <summary>The documented key of the local development client: only ever accepted when nothing else is configured.</summary>
    public const string LocalDevelopmentKey = "local-development-key";
    public const string LocalDevelopmentClient = "local-development";

    private readonly Dictionary<string, (string Id, ApiClientOptions Options)> _byHash;

    public ApiClientRegistry(IReadOnlyDictionary<string, ApiClientOptions> clients)
    {
        _byHash = new Dictionary<string, (string, ApiClientOptions)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, options) in clients)
        {
            if (options.KeyHash.Length != 64 || !options.KeyHash.All(char.IsAsciiHexDigit))
            {
                throw new LearningSystem.Operations.SettingInvalid($"Client '{id}' needs Clients:{id}:KeyHash, the SHA-256 of its key in hex (64 characters).");
            }

            if (options.Scopes.Except(Access.Scopes.All).ToArray() is { Length: > 0 } unknown)
            {
                throw new LearningSystem.Operations.SettingInvalid($"Client '{id}' has unknown scopes {string.Join(", ", unknown)}; known: {string.Join(", ", Access.Scopes.All)}.");
            }

            _byHash[options.KeyHash] = (id, options);
        }
    }

    public int Count => _byHash.Count;

    /// <summary>Keys are long random secrets, not passwords, so a plain SHA-256 is the right hash: slow hashes guard guessable secrets.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public (string Id, ApiClientOptions Options)? Find(string key) =>
        _byHash.TryGetValue(Hash(key), out var client) ? client : null;

    /// <summary>A signed-in browser's client, as configured now: a client removed from configuration is signed out everywhere.</summary>
    public (string Id, ApiClientOptions Options)? FindById(string id) =>
        _byHash.Values.Where(c => c.Id == id).Select(c => ((string, ApiClientOptions)?)c).FirstOrDefault();

    /// <summary>The identity every credential of this client signs in as.</summary>
    public static ClaimsIdentity IdentityOf((string Id, ApiClientOptions Options) client, string scheme) =>
        ClientClaims.Identity(scheme, client.Id, client.Options.Scopes, client.Options.Organisations, client.Options.RequestsPerMinute);

    /// <summary>
    /// The clients from configuration. With none configured and the service on its own local PostgreSQL, the
    /// local development client, with every scope and organisation, so that the README's run command works.
    /// </summary>
    public static ApiClientRegistry From(IConfiguration configuration)
    {
        var clients = configuration.GetSection("Clients").GetChildren()
            .ToDictionary(c => c.Key, c => c.Get<ApiClientOptions>() ?? new ApiClientOptions());
        var local = string.IsNullOrWhiteSpace(configuration.GetConnectionString(LearningSystem.Storage.EventStore.ConnectionStringName));
        if (clients.Count == 0 && local)
        {
            clients[LocalDevelopmentClient] = new ApiClientOptions
            {
                KeyHash = Hash(LocalDevelopmentKey), Scopes = [.. Access.Scopes.All], Organisations = [ClientClaims.EveryOrganisation],
            };
        }

        return new ApiClientRegistry(clients);
    }
}
