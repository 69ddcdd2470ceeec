using System.Globalization;
using LearningSystem.Access;
using LearningSystem.Curriculum;
using LearningSystem.Curriculum.Reading;
using LearningSystem.Decisions.Reading;
using LearningSystem.Feedback;
using LearningSystem.Feedback.Listing;
using LearningSystem.Finding.Searching;
using LearningSystem.Http;
using LearningSystem.Negotiating;
using LearningSystem.PersonalData;
using LearningSystem.Priorities;
using LearningSystem.Priorities.Reading;
using LearningSystem.Rounds;
using LearningSystem.Rounds.Reading;
using LearningSystem.ServiceRedesigns;
using LearningSystem.ServiceRedesigns.Reading;
using Microsoft.AspNetCore.WebUtilities;

namespace LearningSystem.Explorer;

/// <summary>
/// The pages that find things: a list per kind, search, and who did what. Each list is read through the API's own
/// endpoint with the page's query (so the filters, the order and the next page's cursor are the API's), and offers
/// the API's CSV of the same list.
/// </summary>
public static class FindingPages
{
    public const string Priorities = "priorities", Decisions = "decisions", Rounds = "rounds", Redesigns = "service-redesigns",
        CurriculumChanges = "curriculum-changes", Feedback = "patient-feedback";

    /// <summary>Every list page, with its title, for the organisation page and the header.</summary>
    public static IReadOnlyList<(string List, string Title)> Lists { get; } =
    [
        (Priorities, "Priorities"), (Decisions, "Decisions"), (Rounds, "Rounds"), (Redesigns, "Service redesigns"),
        (CurriculumChanges, "Curriculum changes"), (Feedback, "Patient feedback"),
    ];

    private static readonly string[] Groups = [.. WireValues<Participants.StakeholderGroup>.Names];

    public static void Map(RouteGroupBuilder explore)
    {
        explore.MapGet($"/{Priorities}", (HttpContext http, CancellationToken ct) =>
            Pages.Show<ListPage, ListModel>(http, "/api/priorities", (session, viewer) => PrioritiesAsync(http, session, viewer, ct), ""));
        explore.MapGet($"/{Decisions}", (HttpContext http, CancellationToken ct) =>
            Pages.Show<ListPage, ListModel>(http, "/api/decisions", (session, viewer) => DecisionsAsync(http, session, viewer, ct), ""));
        explore.MapGet($"/{Rounds}", (HttpContext http, CancellationToken ct) =>
            Pages.Show<ListPage, ListModel>(http, "/api/rounds", (session, viewer) => RoundsAsync(http, session, viewer, ct), ""));
        explore.MapGet($"/{Redesigns}", (HttpContext http, CancellationToken ct) =>
            Pages.Show<ListPage, ListModel>(http, "/api/service-redesigns", (session, viewer) => RedesignsAsync(http, session, viewer, ct), ""));
        explore.MapGet($"/{CurriculumChanges}", (HttpContext http, CancellationToken ct) =>
            Pages.Show<ListPage, ListModel>(http, "/api/curriculum-changes", (session, viewer) => CurriculumAsync(http, session, viewer, ct), ""));
        explore.MapGet($"/{Feedback}", (HttpContext http, PersonalDataVault vault, CancellationToken ct) =>
        {
            // With feedback:read the page shows what the full list answers, words included; without it, the ratings.
            var words = ExplorerModule.ViewerOf(http)?.May(Scopes.FeedbackRead) == true;
            return Pages.Show<ListPage, ListModel>(http, words ? "/api/patient-feedback" : "/api/patient-feedback/ratings",
                (session, viewer) => FeedbackAsync(http, session, vault, viewer, words, ct), "");
        });
        explore.MapGet("/search", (HttpContext http, CancellationToken ct) =>
            Pages.Show<ListPage, ListModel>(http, "/api/search", (session, viewer) => SearchAsync(http, session, viewer, ct), ""));
    }

    private static string? Asked(HttpContext http, string name) => http.Request.Query[name].ToString() is { Length: > 0 } value ? value.Trim() : null;

    private static DateTimeOffset? Day(HttpContext http, string name) =>
        Asked(http, name) is not { } value ? null
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at
        : throw Rejected.Invalid($"{name} is a date, such as 2026-12-07.", name);

    // A round id that is not one is refused, as the API refuses it, never silently dropped from the filter.
    private static Guid? RoundId(HttpContext http) =>
        Asked(http, "roundId") is not { } value ? null
        : Guid.TryParse(value, out var round) ? round
        : throw Rejected.Invalid("roundId is a round's id, a UUID.", "roundId");

    private static int? Limit(HttpContext http) =>
        Asked(http, "limit") is not { } value ? 50
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit
        : throw Rejected.Invalid($"limit is a whole number from 1 to {Paging.MaxLimit}.", "limit");

    /// <summary>The page's own filters, as given and not empty, for the CSV link and the next page.</summary>
    private static string Query(HttpContext http, params string[] except) =>
        string.Join('&', http.Request.Query.Where(q => !except.Contains(q.Key) && q.Value.ToString().Length > 0)
            .OrderBy(q => q.Key, StringComparer.Ordinal)
            .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}"));

    private static string? Csv(Viewer viewer, string api, HttpContext http) =>
        viewer.May(Scopes.AnalyticsRead) ? $"{api}.csv{(Query(http, "after", "limit") is { Length: > 0 } q ? $"?{q}" : "")}" : null;

    private static IReadOnlyList<(string, string)> Sorts(params (string Key, string Label)[] keys) =>
        [.. keys.SelectMany(k => new[] { (k.Key, $"{k.Label}, ascending"), ($"-{k.Key}", $"{k.Label}, descending") })];

    private static string Sort(HttpContext http, string fallback) => Asked(http, "sort") ?? fallback;

    private static ListFilter Dates(HttpContext http, string name, string label) => new(name, label, "date", Asked(http, name));

    public static async Task<ListModel?> PrioritiesAsync(HttpContext http, Marten.IQuerySession session, Viewer viewer, CancellationToken ct)
    {
        var sort = Sort(http, "-setAt");
        var items = await ListPrioritiesEndpoint.Get(Asked(http, "status"), Asked(http, "setByGroup"), RoundId(http),
            Asked(http, "service"), Day(http, "from"), Day(http, "to"), Asked(http, "q"), sort, Limit(http), Asked(http, "after"), http, session, ct);
        return new ListModel("Priorities", Href.List(Priorities),
            [
                new("q", "Words", "search", Asked(http, "q")), new("status", "Status", "text", Asked(http, "status"), WireValues<PriorityStatus>.Names),
                new("setByGroup", "Set by group", "text", Asked(http, "setByGroup"), Groups), new("service", "Service", "text", Asked(http, "service")),
                new("roundId", "Round id", "text", Asked(http, "roundId")), Dates(http, "from", "Set from"), Dates(http, "to", "Set before"),
            ],
            Sorts(("setAt", "Date set"), ("statement", "Statement"), ("endorsements", "Endorsements"), ("objections", "Objections")), sort,
            ["Priority", "Status", "Set by group", "Set", "Endorsements", "Objections", "Round"],
            [.. items.Select(p => (IReadOnlyList<Cell>)
            [
                new(p.Statement, Href.Priority(p.Id)), new(WireValues<PriorityStatus>.Name(p.Status)),
                new(Pages.Wire(p.SetByGroup), Href.StakeholderGroup(Pages.Wire(p.SetByGroup))), new(Pages.When(p.SetAt)),
                new(p.Negotiation.Endorsements.ToString(CultureInfo.InvariantCulture)), new(p.Negotiation.ObjectionsRaised.ToString(CultureInfo.InvariantCulture)),
                p.RoundId is { } r ? new("round", Href.Round(r)) : new("none"),
            ])],
            Pages.Next(http), Csv(viewer, "/api/priorities", http));
    }

    public static async Task<ListModel?> DecisionsAsync(HttpContext http, Marten.IQuerySession session, Viewer viewer, CancellationToken ct)
    {
        var sort = Sort(http, "-at");
        var items = await ListDecisionsEndpoint.Get(Asked(http, "outcome"), Day(http, "from"), Day(http, "to"), sort, Limit(http), Asked(http, "after"), http, session, ct);
        return new ListModel("Decisions", Href.List(Decisions),
            [new("outcome", "Outcome", "text", Asked(http, "outcome"), ListDecisionsEndpoint.Outcomes), Dates(http, "from", "Decided from"), Dates(http, "to", "Decided before")],
            Sorts(("at", "Date decided"), ("outcome", "Outcome")), sort,
            ["Decision on", "Kind", "Outcome", "Decided"],
            [.. items.Select(d => (IReadOnlyList<Cell>)
            [
                new(d.Title.Length > 0 ? d.Title : $"Proposal {d.ProposalId}", Href.Decision(d.Id)), new(d.Kind), new(d.Outcome ?? "not recorded; rebuild the views"), new(Pages.When(d.At)),
            ])],
            Pages.Next(http), Csv(viewer, "/api/decisions", http));
    }

    public static async Task<ListModel?> RoundsAsync(HttpContext http, Marten.IQuerySession session, Viewer viewer, CancellationToken ct)
    {
        var sort = Sort(http, "-openedAt");
        var items = await ListRoundsEndpoint.Get(Asked(http, "state"), Day(http, "from"), Day(http, "to"), sort, Limit(http), Asked(http, "after"), http, session, ct);
        return new ListModel("Rounds", Href.List(Rounds),
            [new("state", "State", "text", Asked(http, "state"), WireValues<RoundStage>.Names), Dates(http, "from", "Opened from"), Dates(http, "to", "Opened before")],
            Sorts(("openedAt", "Date opened"), ("question", "Question"), ("respondents", "Respondents")), sort,
            ["Round", "State", "Opened", "Priorities", "Respondents", "Compare"],
            [.. items.Select(r => (IReadOnlyList<Cell>)
            [
                new(r.Question, Href.Round(r.Id)), new(WireValues<RoundStage>.Name(r.Stage)), new(Pages.When(r.OpenedAt)),
                new(r.Priorities.Count.ToString(CultureInfo.InvariantCulture)), new(r.Respondents.ToString(CultureInfo.InvariantCulture)),
                new("with another round", Href.Comparison(r.Id)),
            ])],
            Pages.Next(http), Csv(viewer, "/api/rounds", http));
    }

    public static async Task<ListModel?> RedesignsAsync(HttpContext http, Marten.IQuerySession session, Viewer viewer, CancellationToken ct)
    {
        var sort = Sort(http, "-proposedAt");
        var items = await ListServiceRedesignsEndpoint.Get(Asked(http, "state"), Asked(http, "service"), Day(http, "from"), Day(http, "to"), sort, Limit(http), Asked(http, "after"), http, session, ct);
        return new ListModel("Service redesigns", Href.List(Redesigns),
            [
                new("state", "State", "text", Asked(http, "state"), RedesignState.All), new("service", "Service", "text", Asked(http, "service")),
                Dates(http, "from", "Proposed from"), Dates(http, "to", "Proposed before"),
            ],
            Sorts(("proposedAt", "Date proposed"), ("title", "Title"), ("service", "Service")), sort,
            ["Service redesign", "Service", "State", "Proposed", "Learning loop"],
            [.. items.Select(r => (IReadOnlyList<Cell>)
            [
                new(r.Title, Href.ServiceRedesign(r.Id)), new(r.Service), new(RedesignState.Of(r)), new(Pages.When(r.ProposedAt)), new("lineage", Href.Lineage(r.Id)),
            ])],
            Pages.Next(http), Csv(viewer, "/api/service-redesigns", http));
    }

    public static async Task<ListModel?> CurriculumAsync(HttpContext http, Marten.IQuerySession session, Viewer viewer, CancellationToken ct)
    {
        var sort = Sort(http, "-proposedAt");
        var items = await ListCurriculumChangesEndpoint.Get(Asked(http, "state"), Asked(http, "course"), Day(http, "from"), Day(http, "to"), sort, Limit(http), Asked(http, "after"), http, session, ct);
        return new ListModel("Curriculum changes", Href.List(CurriculumChanges),
            [
                new("state", "State", "text", Asked(http, "state"), CurriculumState.All), new("course", "Course", "text", Asked(http, "course")),
                Dates(http, "from", "Proposed from"), Dates(http, "to", "Proposed before"),
            ],
            Sorts(("proposedAt", "Date proposed"), ("learningOutcome", "Learning outcome"), ("course", "Course")), sort,
            ["Learning outcome", "Course", "State", "Proposed", "Learning loop"],
            [.. items.Select(c => (IReadOnlyList<Cell>)
            [
                new(c.LearningOutcome, Href.CurriculumChange(c.Id)), new(c.Course), new(CurriculumState.Of(c)), new(Pages.When(c.ProposedAt)), new("lineage", Href.Lineage(c.Id)),
            ])],
            Pages.Next(http), Csv(viewer, "/api/curriculum-changes", http));
    }

    public static async Task<ListModel?> FeedbackAsync(HttpContext http, Marten.IQuerySession session, PersonalDataVault vault, Viewer viewer, bool words, CancellationToken ct)
    {
        var sort = Sort(http, "-receivedAt");
        var (service, purpose, rating, from, to, after) = (Asked(http, "service"), Asked(http, "purpose"), Asked(http, "rating"), Day(http, "from"), Day(http, "to"), Asked(http, "after"));
        IReadOnlyList<(FeedbackRated Rated, string? Comment)> items = words
            ? [.. (await ListPatientFeedbackEndpoint.Get(service, purpose, rating, from, to, sort, Limit(http), after, http, session, vault, ct)).Select(f => (ListPatientFeedbackEndpoint.Rated(f), (string?)f.Comment))]
            : [.. (await ListPatientFeedbackEndpoint.GetRatings(service, purpose, rating, from, to, sort, Limit(http), after, http, session, ct)).Select(f => (f, (string?)null))];
        return new ListModel("Patient feedback", Href.List(Feedback),
            [
                new("service", "Service", "text", service), new("rating", "Rating", "text", rating, WireValues<FeedbackRating>.Names),
                new("purpose", "Consented purpose", "text", purpose, WireValues<ConsentScope>.Names), Dates(http, "from", "Received from"), Dates(http, "to", "Received before"),
            ],
            Sorts(("receivedAt", "Date received"), ("service", "Service"), ("rating", "Rating")), sort,
            ["Feedback", "Service", "Rating", "Received", "Responses", .. words ? ["Comment"] : Array.Empty<string>()],
            [.. items.Select(f => (IReadOnlyList<Cell>)
            [
                new("learning loop", Href.Lineage(f.Rated.Id)), new(f.Rated.Service), new(WireValues<FeedbackRating>.Name(f.Rated.Rating)), new(Pages.When(f.Rated.ReceivedAt)),
                new(f.Rated.Responses.ToString(CultureInfo.InvariantCulture)), .. words ? [new Cell(f.Comment ?? "")] : Array.Empty<Cell>(),
            ])],
            Pages.Next(http), Csv(viewer, "/api/patient-feedback", http),
            words ? null : "Comments show only to a client with the scope 'feedback:read'.");
    }

    public static async Task<ListModel?> SearchAsync(HttpContext http, Marten.IQuerySession session, Viewer viewer, CancellationToken ct)
    {
        var words = Asked(http, "q");
        IReadOnlyList<SearchHit> hits = words is null ? [] : await SearchEndpoint.Get(words, Asked(http, "kind"), Limit(http), Asked(http, "after"), http, session, ct);
        return new ListModel(words is null ? "Search" : $"Search: {words}", Href.Search(),
            [new("q", "Words", "search", words), new("kind", "Kind", "text", Asked(http, "kind"), [.. Finding.FindingModule.Searchable.Select(s => s.Kind)])],
            [("rank", "Best match first")], "rank",
            ["Found", "Kind"],
            [.. hits.Select(h => (IReadOnlyList<Cell>)[new(h.Title, HrefOf(h)), new(h.Kind)])],
            Pages.Next(http), null,
            words is null ? "Give words to search for: a priority's, a wording's, a redesign's, a curriculum change's or a lesson's. \"A phrase\" in quotes, -word to leave out, or between alternatives." : null);
    }

    private static string HrefOf(SearchHit hit) => hit.Kind switch
    {
        "priority" => Href.Priority(hit.Id),
        "service-redesign" => Href.ServiceRedesign(hit.Id),
        "curriculum-change" => Href.CurriculumChange(hit.Id),
        _ => Href.Lineage(hit.Id),
    };
}
