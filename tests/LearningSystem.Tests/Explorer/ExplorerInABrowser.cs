using System.Net.Http.Json;
using System.Text.Json;
using JennysStory;
using LearningSystem.Access;
using Microsoft.Playwright;

namespace LearningSystem.Tests.Explorer;

/// <summary>
/// The service as its own process on a real port, Jenny's story played into it, one of its people erased, and a
/// priority whose statement is a script; then Debian's Chromium, driven by Playwright, for the explorer's tests.
/// </summary>
public sealed class ExplorerInABrowser : IAsyncLifetime
{
    public const string Key = "explorer-tests-key";
    public const string ReaderKey = "explorer-reader-key";
    public const string Hostile = "<script>alert('owned')</script><img src=x onerror=alert(2)> Shorter waits";

    private string _connectionString = "";
    private IPlaywright? _playwright;

    public ServiceProcess Service { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public StoryOutcome Story { get; private set; } = null!;
    public Guid HostilePriority { get; private set; }
    public Guid FeedbackPriority { get; private set; }
    public const string Erased = "Mrs Patel";

    /// <summary>Where each test's screenshots go, beside the test output, for a person to look at.</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "explorer-screenshots");

    public async Task InitializeAsync()
    {
        _connectionString = await TestDatabase.AcquireAsync("explorer");
        Service = await ServiceProcess.StartAsync(Key, ServiceProcess.Settings(_connectionString, Key,
            "--Audit:CheckpointMinutes=0",
            $"--Clients:reader:KeyHash={ApiClientRegistry.Hash(ReaderKey)}",
            "--Clients:reader:Scopes:0=read",
            "--Clients:reader:Organisations:0=st-marys"));
        Story = await JennysStory.Story.PlayAsync(Service.Client, TextWriter.Null);
        (await Service.Client.PostAsJsonAsync($"/api/participants/{Story.People["patel"]}/erasure",
            new { reason = "She withdrew consent by letter.", legalBasis = "consentWithdrawn" })).EnsureSuccessStatusCode();
        (await Service.Client.PostAsync("/api/audit/checkpoints", null)).EnsureSuccessStatusCode();
        var hostile = await Service.Client.PostAsJsonAsync("/api/priorities", new { statement = Hostile, rationale = "<b>bold</b> & \"quoted\"", setBy = Story.People["okafor"] });
        HostilePriority = (await hostile.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        FeedbackPriority = Story.AgreedPriority;

        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        var executable = Environment.GetEnvironmentVariable("LEARNINGSYSTEM_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"No browser at {executable}: install Debian's 'chromium' package (.ci/run does), or set LEARNINGSYSTEM_CHROMIUM.");
        }

        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // Root in CI needs --no-sandbox; the rest keep Chromium off the network this machine does not have.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }

        await TestDatabase.ReleaseAsync();
    }

    public string Url(string path) => new Uri(Service.Client.BaseAddress!, path).ToString();

    /// <summary>A fresh browser context signed in with <paramref name="key"/> through the sign-in page, as a person does.</summary>
    public async Task<(IBrowserContext Context, IPage Page)> SignInAsync(string key = Key, int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/explore"));
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(Url("/explore"));
        return (context, page);
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"{name}.png"), FullPage = true });
}
