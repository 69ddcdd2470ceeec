using LearningSystem.Negotiating;
using LearningSystem.Access;
using LearningSystem.Audit.Verifying;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;
using LearningSystem.Http;

namespace LearningSystem.Explorer;

/// <summary>
/// The explorer's pages. Each shows what one API read answers, needs that read's scope (found by the same rules
/// as the API's), and reads it through the same code, so a page never shows a client more than the API would.
/// </summary>
/// <summary>A page that shows one model, of the type its load answers, to one viewer.</summary>
public interface IPage<TModel> : IComponent
{
    TModel Model { get; set; }

    Viewer Viewer { get; set; }
}

public static class Pages
{
    public static void Map(RouteGroupBuilder explore)
    {
        explore.MapGet("", (HttpContext http, TimeProvider clock, IConfiguration configuration, CancellationToken ct) =>
            Show<OrganisationPage, OrganisationModel>(http, "/api/open-loops", (session, viewer) => OrganisationPage.LoadAsync(session, viewer, clock, configuration, ct), ""));
        foreach (var kind in Moves.Kinds)
        {
            explore.MapGet($"/{kind}/{{id:guid}}", (Guid id, long? version, HttpContext http, PersonalDataVault vault, CancellationToken ct) =>
                Show<ProposalPage, ProposalModel>(http, $"/api/{kind}/{{id}}", (session, viewer) => ProposalPage.LoadAsync(session, vault, viewer, kind, id, version, ct),
                    $"No {ProposalPage.Singular(kind)} {id} in this organisation."));
        }

        explore.MapGet("/decisions/{id:guid}", (Guid id, HttpContext http, PersonalDataVault vault, ChainVerifier verifier, CancellationToken ct) =>
            Show<DecisionPage, DecisionModel>(http, "/api/decisions/{id}/provenance", (session, _) => DecisionPage.LoadAsync(session, vault, verifier, id, ct),
                $"No decision {id} in this organisation."));
        explore.MapGet("/rounds/{id:guid}", (Guid id, long? version, string? only, string? without, HttpContext http, CancellationToken ct) =>
            Show<RoundPage, RoundModel>(http, "/api/rounds/{id}/results", (session, viewer) => RoundPage.LoadAsync(session, viewer, id, version, only, without, ct),
                $"No round {id} in this organisation."));
        explore.MapGet("/lineage/{id:guid}", (Guid id, HttpContext http, CancellationToken ct) =>
            Show<LineagePage, LearningLoop.LineageView>(http, "/api/lineage/{id}", async (session, _) => await LearningLoop.LineageEndpoint.Get(id, session, ct),
                $"Nothing with id {id} is in this organisation's learning loop."));
        explore.MapGet("/audit", (string? verify, HttpContext http, ChainVerifier verifier, CancellationToken ct) =>
            Show<AuditPage, AuditModel>(http, "/api/audit/verify", (session, _) => AuditPage.LoadAsync(session, verifier, verify == "now", ct), ""))
            // Verifying takes as long as the organisation's history, as GET /api/audit/verify may.
            .DisableRequestTimeout();
        FindingPages.Map(explore);
        PeoplePages.Map(explore);
    }

    public static async Task<IResult> Show<TPage, TModel>(HttpContext http, string apiRoute, Func<IQuerySession, Viewer, Task<TModel?>> load, string notFound)
        where TPage : IPage<TModel>
        where TModel : class
    {
        if (ExplorerModule.ViewerOf(http) is not { } viewer)
        {
            return ExplorerModule.ToSignIn(http);
        }

        var scope = Scopes.For("GET", apiRoute);
        if (!viewer.May(scope))
        {
            return Problem(viewer, StatusCodes.Status403Forbidden, "This page needs another scope",
                $"This page shows what GET {apiRoute} answers, which needs the scope '{scope}'. Client {viewer.Client} lacks it.");
        }

        await using var session = ExplorerModule.QueryFor(http, viewer);
        TModel? model;
        try
        {
            model = await load(session, viewer);
        }
        catch (Rejected rejected)
        {
            return Problem(viewer, rejected.Kind == RejectionKind.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest,
                ProblemExceptionHandler.Title(rejected.Kind == RejectionKind.NotFound ? 404 : 400), rejected.Message);
        }

        return model is null
            ? Problem(viewer, StatusCodes.Status404NotFound, "Not found", notFound)
            : new RazorComponentResult<TPage>(new Dictionary<string, object?> { [nameof(IPage<TModel>.Model)] = model, [nameof(IPage<TModel>.Viewer)] = viewer });
    }

    private static RazorComponentResult<ProblemPage> Problem(Viewer viewer, int status, string heading, string detail) =>
        new RazorComponentResult<ProblemPage>(new Dictionary<string, object?>
        {
            [nameof(ProblemPage.Viewer)] = viewer,
            [nameof(ProblemPage.Heading)] = heading,
            [nameof(ProblemPage.Detail)] = detail,
        })
        { StatusCode = status };

    /// <summary>The next page, from the Link header an API list function set on this page's response.</summary>
    public static string? Next(HttpContext http) =>
        http.Response.Headers.Link.ToString() is { Length: > 0 } link && link.IndexOf('<') is var start and >= 0 && link.IndexOf('>') is var end && end > start
            ? link[(start + 1)..end]
            : null;

    /// <summary>Names as the API shows them to this client: opened, or <c>[erased]</c>.</summary>
    public static async Task<IReadOnlyDictionary<Guid, Participant>> PeopleAsync(IQuerySession session, PersonalDataVault vault, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToArray();
        if (wanted.Length == 0)
        {
            return new Dictionary<Guid, Participant>();
        }

        var people = await vault.OpenAllAsync(session, await session.LoadManyAsync<Participant>(ct, wanted), ct);
        return people.ToDictionary(p => p.Id);
    }

    public static string Name(this IReadOnlyDictionary<Guid, Participant> people, Guid id) =>
        people.TryGetValue(id, out var person) ? person.DisplayName : "an unknown participant";

    public static string Wire(StakeholderGroup group) => WireValues<StakeholderGroup>.Name(group);

    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
