using LearningSystem.Access;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LearningSystem.Explorer;

/// <summary>
/// A browser signs in by exchanging a client's key for a session cookie (HttpOnly, SameSite=Strict, Secure outside
/// local development), and signs out with a POST. Both forms carry an antiforgery token: signing in, one the page
/// also set in a cookie of its own (double submit); signing out, the one kept with the session.
/// </summary>
public static class SignIn
{
    private const string FormCookie = "learningsystem-explorer-form";

    public static void Map(RouteGroupBuilder explore)
    {
        explore.MapGet("/sign-in", Show);
        explore.MapPost("/sign-in", SignInAsync);
        explore.MapPost("/sign-out", SignOutAsync);
        explore.MapGet("/sign-in/provider", SignInWithProvider);
        explore.MapGet("/signed-in", SignedIn);
    }

    private static RazorComponentResult<SignInPage> Show(HttpContext http, string? returnTo, string? refused) =>
        Form(http, returnTo, null, refused switch
        {
            null => null,
            "organisation" => "Your identity provider grants you no organisation you may use here, or not the one you named.",
            "scope" => "Your identity provider does not give you the 'read' scope every page needs.",
            "identity" => "Your identity provider's token named nobody.",
            _ => "Signing in at your identity provider did not succeed. Try again.",
        }, refused is null ? StatusCodes.Status200OK : StatusCodes.Status403Forbidden);

    /// <summary>Off to the organisation's identity provider, which sends the browser back to the callback.</summary>
    private static IResult SignInWithProvider(HttpContext http, string? organisation, string? returnTo)
    {
        if (!OpenIdConnectSignIn.Offered(http.RequestServices.GetRequiredService<IConfiguration>()))
        {
            return TypedResults.NotFound();
        }

        var properties = new Microsoft.AspNetCore.Authentication.AuthenticationProperties
        {
            RedirectUri = Href.SignedIn(Local(returnTo) ?? Href.Organisation),
        };
        if (organisation is { Length: > 0 } named && LearningSystem.Organisations.Organisation.IsValid(named))
        {
            properties.Items[BrowserSessionAuthentication.OrganisationItem] = named;
        }

        return TypedResults.Challenge(properties, [OpenIdConnectSignIn.Scheme]);
    }

    /// <summary>
    /// The provider's redirects began on another site, so browsers withhold the SameSite=Strict cookie until a
    /// navigation starts here: this page makes that one step (a refresh, or the link for those who have turned
    /// refreshes off).
    /// </summary>
    private static RazorComponentResult<SignedInPage> SignedIn(string? returnTo) =>
        new(new Dictionary<string, object?> { [nameof(SignedInPage.Next)] = Local(returnTo) ?? Href.Organisation });

    private static RazorComponentResult<SignInPage> Form(HttpContext http, string? returnTo, string? organisation, string? error, int status)
    {
        var token = BrowserSessions.NewToken();
        http.Response.Cookies.Append(FormCookie, token, CookieOptions(http, TimeSpan.FromHours(1)));
        return new RazorComponentResult<SignInPage>(new Dictionary<string, object?>
        {
            [nameof(SignInPage.Antiforgery)] = token,
            [nameof(SignInPage.Provider)] = OpenIdConnectSignIn.Offered(http.RequestServices.GetRequiredService<IConfiguration>()),
            [nameof(SignInPage.ReturnTo)] = Local(returnTo),
            [nameof(SignInPage.Organisation)] = organisation,
            [nameof(SignInPage.Error)] = error,
        })
        { StatusCode = status };
    }

    private static async Task<IResult> SignInAsync(HttpContext http, ApiClientRegistry clients, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType)
        {
            return Form(http, null, null, "Sign in with the form.", StatusCodes.Status400BadRequest);
        }

        var form = await http.Request.ReadFormAsync(ct);
        string? Field(string name) => form[name].ToString() is { Length: > 0 and <= 500 } value ? value.Trim() : null;
        var returnTo = Field("returnTo");
        var organisation = Field("organisation");
        if (!BrowserSessions.Same(Field("antiforgery"), http.Request.Cookies[FormCookie]))
        {
            return Form(http, returnTo, organisation, "The form had expired or came from elsewhere. Sign in again.", StatusCodes.Status400BadRequest);
        }

        if (Field("key") is not { } key || clients.Find(key) is not { } client)
        {
            return Form(http, returnTo, organisation, "That key is not known.", StatusCodes.Status401Unauthorized);
        }

        var grants = client.Options.Organisations;
        if (BrowserSessions.Choose(organisation, grants) is not { } chosen)
        {
            return organisation is null
                ? Form(http, returnTo, organisation, $"This client acts for {string.Join(", ", grants)}: name one.", StatusCodes.Status400BadRequest)
                : Form(http, returnTo, organisation, $"This client is not granted organisation '{organisation}'.", StatusCodes.Status403Forbidden);
        }

        if (!client.Options.Scopes.Contains(Scopes.Read))
        {
            return Form(http, returnTo, organisation, "This client lacks the 'read' scope every page needs.", StatusCodes.Status403Forbidden);
        }

        await BrowserSessions.StartAsync(http, client.Id, chosen, null, null);
        http.Response.Cookies.Delete(FormCookie, CookieOptions(http, TimeSpan.Zero));
        return TypedResults.Redirect(Local(returnTo) ?? Href.Organisation);
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, IDocumentStore store, CancellationToken ct)
    {
        var viewer = ExplorerModule.ViewerOf(http);
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        if (viewer is null || !BrowserSessions.Same(form?["antiforgery"].ToString(), viewer.Antiforgery))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Sign out from the explorer's own page.",
                detail: "The sign-out form's antiforgery token was missing or wrong.");
        }

        if (http.Request.Cookies[CookieName(http)] is { } token)
        {
            await using var session = store.LightweightSession();
            session.Delete<BrowserSession>(BrowserSessions.Hash(token));
            await session.SaveChangesAsync(ct);
        }

        http.Response.Cookies.Delete(CookieName(http), CookieOptions(http, TimeSpan.Zero));
        return TypedResults.Redirect(Href.SignInForm);
    }

    private static string CookieName(HttpContext http) => BrowserSessions.CookieName(Secure(http));

    private static bool Secure(HttpContext http) =>
        BrowserSessions.SecureCookies(http.RequestServices.GetRequiredService<IConfiguration>(), http.RequestServices.GetRequiredService<IHostEnvironment>());

    private static CookieOptions CookieOptions(HttpContext http, TimeSpan lifetime) => BrowserSessions.CookieOptions(Secure(http), lifetime);

    /// <summary>Only a path inside the explorer: never an open redirect to another site.</summary>
    private static string? Local(string? returnTo) =>
        returnTo is { } path && path.StartsWith(ExplorerModule.Root, StringComparison.Ordinal) && !path.StartsWith("//", StringComparison.Ordinal)
            && !path.Contains('\\') && Uri.IsWellFormedUriString(path, UriKind.Relative) ? path : null;
}
