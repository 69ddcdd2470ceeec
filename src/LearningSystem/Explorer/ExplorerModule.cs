using LearningSystem.Access;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LearningSystem.Explorer;

/// <summary>Who is looking: the signed-in client, the organisation it acts for, and what its scopes let it see.</summary>
public sealed record Viewer(string Client, string Organisation, IReadOnlySet<string> Scopes, string Antiforgery)
{
    public bool May(string scope) => Scopes.Contains(scope);
}

/// <summary>
/// The explorer: read-only pages for analysts and auditors under <c>/explore</c>, rendered on the server from the
/// same reads the API answers, under the same scopes and grants. Pages need no script; pictures are SVG drawn here.
/// </summary>
public static class ExplorerModule
{
    public const string Root = "/explore";

    /// <summary>
    /// No script, no inline style, nothing from elsewhere, never framed. Forms post only here, and to the identity
    /// provider when one is offered (browsers apply <c>form-action</c> to a form's redirects too).
    /// </summary>
    public static string ContentSecurityPolicy(IConfiguration configuration) =>
        "default-src 'none'; style-src 'self'; img-src 'self'; " +
        $"form-action 'self'{(OpenIdConnectSignIn.Offered(configuration) ? $" {new Uri(configuration["Authentication:Jwt:Authority"]!).GetLeftPart(UriPartial.Authority)}" : "")}; " +
        "frame-ancestors 'none'; base-uri 'none'";

    public static void AddExplorer(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        builder.AddOpenIdConnectSignIn();
    }

    public static void UseExplorer(this WebApplication app)
    {
        var explore = app.MapGroup(Root);
        var policy = ContentSecurityPolicy(app.Configuration);
        explore.AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            // Pages show personal data: no shared cache keeps them.
            headers.CacheControl = "no-store";
            return await next(context);
        });
        explore.ExcludeFromDescription();
        SignIn.Map(explore);
        Pages.Map(explore);
        explore.MapGet("/explorer.css", () => Results.Text(Stylesheet.Value, "text/css; charset=utf-8"));
    }

    private static readonly Lazy<string> Stylesheet = new(() =>
    {
        using var stream = typeof(ExplorerModule).Assembly.GetManifestResourceStream("LearningSystem.Explorer.explorer.css")!;
        return new StreamReader(stream).ReadToEnd();
    });

    /// <summary>The viewer, once signed in by a browser session; null sends the browser to sign in.</summary>
    public static Viewer? ViewerOf(HttpContext http)
    {
        var user = http.User;
        if (user.Identity?.AuthenticationType != BrowserSessions.Scheme || user.ClientId() is not { } client
            || user.FindFirst(ClientClaims.Organisation)?.Value is not { } organisation)
        {
            return null;
        }

        return new Viewer(client, organisation, user.FindAll(ClientClaims.Scope).Select(c => c.Value).ToHashSet(),
            user.FindFirst(BrowserSessions.AntiforgeryClaim)?.Value ?? "");
    }

    public static RedirectHttpResult ToSignIn(HttpContext http) =>
        TypedResults.Redirect(Href.SignIn(http.Request.Path + http.Request.QueryString));

    public static IQuerySession QueryFor(HttpContext http, Viewer viewer) =>
        http.RequestServices.GetRequiredService<IDocumentStore>().QuerySession(viewer.Organisation);
}
