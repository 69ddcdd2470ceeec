using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;
using LearningSystem.Storage;

namespace LearningSystem.Operations;

/// <summary>A setting the service cannot work with; its message says which, and what it should be.</summary>
public sealed class SettingInvalid(string message) : Exception(message);

/// <summary>What a person starting the service or its command line sees: one clear line, and no secrets.</summary>
public static partial class Startup
{
    /// <summary>One line for a failure a person can act on, or null for a real fault (which keeps its trace).</summary>
    public static string? Explain(Exception failure, IConfiguration configuration) =>
        Explain(failure, $"ConnectionStrings:{EventStore.ConnectionStringName}", configuration.GetConnectionString(EventStore.ConnectionStringName), configuration["urls"]);

    /// <summary>The same, for a database named by <paramref name="named"/> (a setting, or a command's argument).</summary>
    public static string? Explain(Exception failure, string named, string? connectionString, string? urls = null)
    {
        for (var e = failure; e is not null; e = e.InnerException ?? (e as AggregateException)?.InnerExceptions.FirstOrDefault())
        {
            switch (e)
            {
                case SettingInvalid or LearningSystem.LocalPostgres.PostgresNotAvailableException:
                    return e.Message;
                case IOException when e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase):
                    return $"The HTTP address {urls ?? "http://localhost:5080"} is already in use; stop what listens there, or choose another with --urls.";
                case PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification }:
                    return $"PostgreSQL at {Server(connectionString)} refused the user or password in {named}.";
                case PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName }:
                    return $"The database named in {named} does not exist at {Server(connectionString)}; create it (createdb) or name another.";
                case NpgsqlException { InnerException: SocketException or TimeoutException } or SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.TimedOut }:
                    return $"PostgreSQL at {Server(connectionString)} cannot be reached ({e.InnerException?.Message ?? e.Message}); check {named} and that the server runs.";
            }
        }

        return null;
    }

    // Host and port only: the rest of a connection string may hold a password.
    private static string Server(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "the local server";
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}:{builder.Port}";
        }
        catch (ArgumentException)
        {
            return "the configured server";
        }
    }

    /// <summary>
    /// Settings that hold keys, secrets or passwords, hidden from the command that prints the configuration
    /// (<c>describe</c>): private keys show empty, master keys as zeros, key hashes, tokens and connection-string
    /// passwords as <c>[redacted]</c>. Only for that command, which never serves requests.
    /// </summary>
    private static readonly string ZeroKey = Convert.ToBase64String(new byte[32]);

    public static void RedactSecrets(ConfigurationManager configuration)
    {
        var redacted = new Dictionary<string, string?>();
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (value is null)
            {
                continue;
            }

            if (Sensitive().IsMatch(key))
            {
                // Keys the service parses as it is built stay parseable: a PEM key is emptied (checkpoints unsigned),
                // a master key becomes 32 zero bytes. Neither is ever used: describe serves no request.
                redacted[key] = key.Contains("MasterKeys:", StringComparison.OrdinalIgnoreCase) ? ZeroKey
                    : value.StartsWith("-----BEGIN", StringComparison.Ordinal) ? ""
                    : "[redacted]";
            }
            else if (key.StartsWith("ConnectionStrings:", StringComparison.OrdinalIgnoreCase) && ConnectionPassword().IsMatch(value))
            {
                redacted[key] = ConnectionPassword().Replace(value, "${name}=[redacted]");
            }
        }

        // Setting a key sets it in every provider, so that no provider's own value is shown beside it.
        foreach (var (key, value) in redacted)
        {
            configuration[key] = value;
        }
    }

    [GeneratedRegex(@"(signingkey|privatekey|apikey|keyhash|secret|password|passwd|pwd|token|pepper|credential)$|masterkeys:", RegexOptions.IgnoreCase)]
    private static partial Regex Sensitive();

    [GeneratedRegex(@"(?<name>password|pwd)\s*=\s*[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionPassword();
}
