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
    public const string Tampered = "st-lukes";
    public const string Hostile = "<script>alert('owned')</script><img src=x onerror=alert(2)> Shorter waits";

    private string _connectionString = "";
    private IPlaywright? _playwright;

    public ServiceProcess Service { get; private set; } = null!;
    public IdentityProvider Provider { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public StoryOutcome Story { get; private set; } = null!;
    public Guid HostilePriority { get; private set; }
    public Guid FeedbackPriority { get; private set; }

    /// <summary>A priority in <see cref="Tampered"/> whose objection (version 2) was rewritten in the database.</summary>
    public Guid TamperedPriority { get; private set; }
    public const string Erased = "Mrs Patel";

    /// <summary>Where each test's screenshots go, beside the test output, for a person to look at.</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "explorer-screenshots");

    public async Task InitializeAsync()
    {
        _connectionString = await TestDatabase.AcquireAsync("explorer");
        Provider = await IdentityProvider.StartAsync();
        Service = await ServiceProcess.StartAsync(Key, ServiceProcess.Settings(_connectionString, Key,
            [.. Provider.Settings(),
            "--Audit:CheckpointMinutes=0",
            "--Audit:CheckpointSettleSeconds=0",
            $"--Audit:SigningKey={System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportECPrivateKeyPem()}",
            $"--Clients:tests:Organisations:1={Tampered}",
            $"--Clients:reader:KeyHash={ApiClientRegistry.Hash(ReaderKey)}",
            "--Clients:reader:Scopes:0=read",
            "--Clients:reader:Organisations:0=st-marys"]));
        // The tests' client may act for two organisations: the story's is named on every request.
        Service.Client.DefaultRequestHeaders.Add("X-Organisation", "st-marys");
        Story = await JennysStory.Story.PlayAsync(Service.Client, TextWriter.Null);
        (await Service.Client.PostAsJsonAsync($"/api/participants/{Story.People["patel"]}/erasure",
            new { reason = "She withdrew consent by letter.", legalBasis = "consentWithdrawn" })).EnsureSuccessStatusCode();
        (await Service.Client.PostAsync("/api/audit/checkpoints", null)).EnsureSuccessStatusCode();
        var hostile = await Service.Client.PostAsJsonAsync("/api/priorities", new { statement = Hostile, rationale = "<b>bold</b> & \"quoted\"", setBy = Story.People["okafor"] });
        HostilePriority = (await hostile.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        FeedbackPriority = Story.AgreedPriority;
        await TamperAsync();

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

    /// <summary>History rewritten behind the service's back, in an organisation of its own, for the audit page to find.</summary>
    private async Task TamperAsync()
    {
        async Task<JsonElement> PostAsync(string path, object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body), Headers = { { "X-Organisation", Tampered } } };
            using var answer = await Service.Client.SendAsync(request);
            answer.EnsureSuccessStatusCode();
            return await answer.Content.ReadFromJsonAsync<JsonElement>();
        }

        var nurse = (await PostAsync("/api/participants", new { displayName = "Nurse Lee", stakeholderGroup = "nurse" })).GetProperty("id").GetGuid();
        TamperedPriority = (await PostAsync("/api/priorities", new { statement = "Quieter wards at night", rationale = "Sleep heals", setBy = nurse })).GetProperty("id").GetGuid();
        await PostAsync($"/api/priorities/{TamperedPriority}/objections", new { by = nurse, reason = "Night staff are too few" });
        var changed = await LearningSystem.Tests.Audit.Tampering.ExecuteAsync(_connectionString,
            "update learningsystem.mt_events set data = jsonb_set(data, '{reason}', '\"Night staff are plenty\"') where tenant_id = @tenant and stream_id = @stream and version = 2",
            ("tenant", Tampered), ("stream", TamperedPriority));
        Assert.Equal(1, changed);
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

        if (Provider is not null)
        {
            await Provider.DisposeAsync();
        }

        await TestDatabase.ReleaseAsync();
    }

    public string Url(string path) => new Uri(Service.Client.BaseAddress!, path).ToString();

    /// <summary>A fresh browser context signed in with <paramref name="key"/> through the sign-in page, as a person does.</summary>
    public async Task<(IBrowserContext Context, IPage Page)> SignInAsync(
        string key = Key, int width = 1280, int height = 900, string organisation = "st-marys", bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height }, JavaScriptEnabled = javaScript,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/explore"));
        await page.GetByLabel("API key").FillAsync(key);
        await page.Locator("#organisation").FillAsync(organisation);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        try
        {
            // Poll the address and wait for the signed-in page to show, rather than wait for a navigation event: under
            // a full suite's load the load event timed out, and waiting for the commit hangs when the redirect has
            // already committed by the time the wait begins (a fast run's sign-out did).
            await ArriveAsync(page, Url("/explore"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync();
        }
        catch (TimeoutException e)
        {
            // Say where the browser was and what the service said, not only that it waited.
            var output = Service.Output;
            throw new TimeoutException($"Sign-in did not reach /explore; the page is {page.Url}:\n{await page.InnerTextAsync("body")}\nThe service's last output:\n{output[Math.Max(0, output.Length - 6000)..]}", e);
        }

        return (context, page);
    }

    /// <summary>Signs out with the page's own button and waits for the sign-in form, as signing in waits.</summary>
    public async Task SignOutAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await ArriveAsync(page, Url("/explore/sign-in"));
        await page.GetByLabel("API key").WaitForAsync();
    }

    /// <summary>
    /// Waits until the page's address is <paramref name="url"/>, whether the navigation to it has already
    /// committed or is still to come; the caller then waits for the content it expects there.
    /// </summary>
    public static Task ArriveAsync(IPage page, string url) =>
        Assertions.Expect(page).ToHaveURLAsync(url, new() { Timeout = 30_000 });

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"{name}.png"), FullPage = true });
}
