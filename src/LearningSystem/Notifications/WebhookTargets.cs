using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;

namespace LearningSystem.Notifications;

/// <summary>
/// Where webhooks may be delivered. By default not to loopback, link-local (cloud metadata), private,
/// shared or unspecified addresses, so that the <c>webhooks</c> scope cannot aim the service inside its own
/// network (server-side request forgery). Hospital receivers on private networks are allowed by name or
/// network in <c>Webhooks:AllowedHosts</c>. The rule is applied when subscribing and again on the address
/// actually dialled, so a name whose answer changes is caught too.
/// </summary>
public sealed class WebhookTargets
{
    private readonly HashSet<string> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<IPNetwork> _networks = [];

    public WebhookTargets(IConfiguration configuration, IHostEnvironment environment)
    {
        foreach (var entry in configuration.GetSection("Webhooks:AllowedHosts").Get<string[]>() ?? [])
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                _networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                _networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                _hosts.Add(entry);
            }
        }

        RequireHttps = configuration.GetValue("Webhooks:RequireHttps", !environment.IsDevelopment());
    }

    public bool RequireHttps { get; }

    /// <summary>Why <paramref name="url"/> may not receive webhooks, or null when it may.</summary>
    public async Task<string?> RefusalAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return "Give an absolute http or https URL.";
        }

        if (RequireHttps && uri.Scheme != "https")
        {
            return "Webhooks are delivered over https only.";
        }

        if (_hosts.Contains(uri.IdnHost))
        {
            return null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.IdnHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.IdnHost, ct);
        }
        catch (SocketException)
        {
            // Not resolvable yet (a receiver still being set up): each delivery checks the address it dials.
            return null;
        }

        return addresses.FirstOrDefault(a => !IsAllowed(a)) is { } inside
            ? $"{uri.IdnHost} is an address inside the network ({inside}); allow it in Webhooks:AllowedHosts if a receiver really lives there."
            : null;
    }

    /// <summary>Connects to the first allowed address of the host, refusing when none is.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = _hosts.Contains(host) ? addresses : addresses.Where(IsAllowed).ToArray();
        if (allowed.Length == 0)
        {
            throw new TargetRefused();
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return _networks.Any(n => n.Contains(address)) || !IsInside(address);
    }

    private static readonly IPNetwork[] Inside =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("224.0.0.0/3"),
        IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    private static bool IsInside(IPAddress address) => Inside.Any(n => n.BaseAddress.AddressFamily == address.AddressFamily && n.Contains(address));

    /// <summary>The delivery log's short, fixed reason for a failed attempt; never the exception's own text.</summary>
    public static string Reason(Exception e) => e switch
    {
        TaskCanceledException or TimeoutException => "timeout",
        TargetRefused => "address not allowed",
        HttpRequestException { InnerException: TargetRefused } => "address not allowed",
        HttpRequestException { InnerException: AuthenticationException } => "tls failure",
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => "refused",
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } } => "name not resolved",
        _ => "network error",
    };

    public sealed class TargetRefused() : Exception("The webhook's address is not allowed.");
}
