using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LearningSystem.Tests;

/// <summary>
/// A real HTTP receiver on a port of its own, as an integrating system or a telemetry collector would run one:
/// it keeps what it is sent, and can be taken down and brought back on the same port.
/// </summary>
public sealed class Receiver(string host = "127.0.0.1") : IAsyncDisposable
{
    /// <summary>Where the tests' webhook receivers listen: a loopback address the service allows explicitly, as a hospital would its private receiver.</summary>
    public const string WebhookHost = "127.0.0.2";

    private const int Keep = 5_000;
    private WebApplication? _app;

    public int Port { get; } = LearningSystem.LocalPostgres.LocalPostgresServer.FreePort();

    public Uri Address => new($"http://{host}:{Port}");

    public ConcurrentQueue<(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)> Received { get; } = new();

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Address.ToString());
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            Received.Enqueue((context.Request.Path.Value ?? "", context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.ToArray()));
            while (Received.Count > Keep && Received.TryDequeue(out _))
            {
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Waits until something received at <paramref name="path"/> passes <paramref name="test"/>.</summary>
    public async Task<bool> WaitForAsync(string path, Func<string, bool> test, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (Received.Any(r => r.Path == path && test(System.Text.Encoding.UTF8.GetString(r.Body))))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
