using System.Text.RegularExpressions;
using LearningSystem.Organisations.Databases;
using LearningSystem.Organisations.Moving;
using LearningSystem.Storage;
using Marten;
using Marten.Storage;
using Microsoft.AspNetCore.Mvc;

namespace LearningSystem.Organisations;

/// <summary>
/// The organisations' public face: what other rooms may know of them. Every request acts for one organisation,
/// which is the Marten tenant. A client names it in a header, among the organisations it is granted (see
/// <c>Access/AccessModule</c>). Where each lives (<c>Databases/</c>) and how one moves (<c>Moving/</c>) stay
/// inside this room.
/// </summary>
public static partial class Organisation
{
    public const string Header = "X-Organisation";
    public const string Default = "local";

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$", RegexOptions.IgnoreCase)]
    private static partial Regex Valid();

    public static bool IsValid(string name) => Valid().IsMatch(name);

    /// <summary>Refuses a malformed organisation name before it can reach storage.</summary>
    public static async Task RequireValidHeader(HttpContext context, RequestDelegate next)
    {
        var value = context.Request.Headers[Header].ToString();
        if (value.Length == 0 || Valid().IsMatch(value))
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ValidationProblemDetails(new Dictionary<string, string[]>
            {
                [Header] = ["Use 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit."],
            })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The organisation header is invalid.",
            },
        });
    }

    /// <summary>An append refused in the database its organisation is leaving (see <c>Moving/MovedOrganisations</c>).</summary>
    public static bool IsMoving(Exception exception) => Sql.Raised(exception, MovedOrganisationsFeature.Refused);

    /// <summary>
    /// Every organisation with events, with the database it lives in: under either tenancy, rows an organisation
    /// left behind in another database are not its. Where each lives is read once, not once per organisation.
    /// </summary>
    public static async Task<IReadOnlyList<(string Organisation, IMartenDatabase Database)>> EveryAsync(IDocumentStore store, CancellationToken ct)
    {
        var tenancy = store.Options.Tenancy as OrganisationDatabases;
        var registered = new Dictionary<string, IMartenDatabase>(StringComparer.Ordinal);
        if (tenancy is not null)
        {
            await foreach (var (organisation, connectionString) in tenancy.RegisteredAsync())
            {
                registered[organisation] = tenancy.DatabaseFor(connectionString);
            }
        }

        var found = new List<(string, IMartenDatabase)>();
        foreach (var database in await store.Storage.AllDatabases())
        {
            await using var connection = database.CreateConnection();
            await connection.OpenAsync(ct);
            foreach (var organisation in await Sql.ListAsync<string>(connection, $"select distinct tenant_id from {store.Options.DatabaseSchemaName}.mt_streams order by 1", ct))
            {
                var home = tenancy is null ? database : registered.GetValueOrDefault(organisation, tenancy.Shared);
                if (ReferenceEquals(home, database))
                {
                    found.Add((organisation, database));
                }
            }
        }

        return found;
    }

    /// <summary>One organisation in each database, to open a session there with: null for the shared one (the default tenant), then one registered in each other.</summary>
    public static async Task<IReadOnlyList<string?>> OnePerDatabaseAsync(IDocumentStore store)
    {
        var each = new List<string?> { null };
        if (store.Options.Tenancy is OrganisationDatabases tenancy)
        {
            var seen = new HashSet<MartenDatabase>();
            await foreach (var (organisation, connectionString) in tenancy.RegisteredAsync())
            {
                if (seen.Add(tenancy.DatabaseFor(connectionString)))
                {
                    each.Add(organisation);
                }
            }
        }

        return each;
    }
}
