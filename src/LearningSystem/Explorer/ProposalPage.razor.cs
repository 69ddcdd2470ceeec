using LearningSystem.Curriculum;
using LearningSystem.Feedback;
using LearningSystem.History;
using LearningSystem.Negotiating;
using LearningSystem.Negotiating.Objecting;
using LearningSystem.PersonalData;
using LearningSystem.Priorities;
using LearningSystem.ServiceRedesigns;
using Marten;
using LearningSystem.Http;

namespace LearningSystem.Explorer;

public sealed record TimelineEntry(long Version, DateTimeOffset At, string Move, Guid By, string Who, string Group, string? Reason, string? Wording);

/// <summary>A piece of a wording against the one before: kept (0), added (1) or removed (-1).</summary>
public sealed record DiffPart(string Text, int Change);

public sealed record WordingShown(int Number, IReadOnlyList<DiffPart> Parts, string Text, string ProposedBy, string? AcceptedBy, DateTimeOffset Since);

public sealed record ObjectionShown(string Reason, string By, string Group, bool Open, bool Answered, DateTimeOffset RaisedAt);

public sealed record FeedbackShown(Guid Id, string Service, string Rating, string Comment);

public sealed record ProposalModel(
    string Kind, Guid Id, string Title, string? Detail, string Status, long Version, long Latest, IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<WordingShown> Wordings, IReadOnlyList<ObjectionShown> Objections, int Endorsements, Guid? DecisionId, Guid? RoundId,
    IReadOnlyList<Guid> FeedbackIds, IReadOnlyList<FeedbackShown>? Feedback);

public partial class ProposalPage : IPage<ProposalModel>
{
    public static string Singular(string kind) => kind switch
    {
        Moves.Priorities => "priority",
        Moves.ServiceRedesigns => "service redesign",
        _ => "curriculum change",
    };

    public static async Task<ProposalModel?> LoadAsync(
        IQuerySession session, PersonalDataVault vault, Viewer viewer, string kind, Guid id, long? version, CancellationToken ct)
    {
        // The item as it stands, and as it stood at the version asked for.
        var (latest, shown) = kind switch
        {
            Moves.Priorities => await Both<Priority>(session, id, version, ct),
            Moves.ServiceRedesigns => await Both<ServiceRedesign>(session, id, version, ct),
            _ => await Both<CurriculumChange>(session, id, version, ct),
        };
        if (latest is null || shown is null)
        {
            return null;
        }

        var (title, detail, status, negotiation, decision, round, feedback, at) = shown switch
        {
            Priority p => (p.Negotiation.Wording, p.Rationale, WireValues<PriorityStatus>.Name(p.Status), p.Negotiation, p.Decision?.Id, p.RoundId, p.Feedback, p.Version),
            ServiceRedesign r => (r.Title, r.Problem, r.Decision is null ? "open" : $"decided: {r.Decision.Outcome.ToString().ToLowerInvariant()}", r.Negotiation, r.Decision?.Id, (Guid?)null, r.Evidence, r.Version),
            CurriculumChange c => (c.LearningOutcome, $"{c.Course}{(c.Module is null ? "" : $", {c.Module}")}: {c.ProposedChange}", c.Decision is null ? "open" : $"decided: {c.Decision.Outcome.ToString().ToLowerInvariant()}", c.Negotiation, c.Decision?.Id, (Guid?)null, c.Evidence, c.Version),
            _ => throw new InvalidOperationException("Unknown kind."),
        };
        var latestVersion = VersionOf(latest);

        var events = await session.Events.FetchStreamAsync(id, at, token: ct);
        var opened = await RecordedEvent.OpenAllAsync(session, vault, events, ct);
        var acts = opened.Select(e => (e.Version, Act: Acts.Describe(e.Data))).Where(a => a.Act is not null).ToArray();
        negotiation ??= Negotiation.Start(title, Guid.Empty, DateTimeOffset.MinValue);
        // The page already reads the stream up to the version shown, so the objections are folded from it as they stood.
        var objections = Objection.Fold(events);
        var people = await Pages.PeopleAsync(session, vault,
            acts.Select(a => a.Act!.By).Concat(negotiation.Wordings.SelectMany(w => new[] { w.ProposedBy, w.AcceptedBy ?? Guid.Empty })).Concat(objections.Select(o => o.By)), ct);

        IReadOnlyList<FeedbackShown>? comments = null;
        if (viewer.May(Access.Scopes.FeedbackRead) && feedback.Count > 0)
        {
            var found = await vault.OpenAllAsync(session, await session.LoadManyAsync<PatientFeedback>(ct, feedback.Distinct()), ct);
            comments = [.. found.Select(f => new FeedbackShown(f.Id, f.Service, WireValues<FeedbackRating>.Name(f.Rating), f.Comment))];
        }

        var wordings = negotiation.Wordings.Select((w, i) => new WordingShown(
            i + 1, Diff(i == 0 ? "" : negotiation.Wordings[i - 1].Text, w.Text), w.Text, people.Name(w.ProposedBy),
            w.AcceptedBy is { } accepted ? people.Name(accepted) : null, w.Since)).ToArray();

        return new ProposalModel(
            kind, id, title, detail, status, at, latestVersion,
            [.. acts.Select(a => new TimelineEntry(a.Version, a.Act!.At, a.Act.Move, a.Act.By, people.Name(a.Act.By), Pages.Wire(a.Act.Group), a.Act.Reason, a.Act.Wording))],
            wordings,
            [.. objections.Select(o => new ObjectionShown(o.Reason, people.Name(o.By), Pages.Wire(o.ByGroup), o.Open, o.Answered, o.RaisedAt))],
            negotiation.Endorsements, decision, round, feedback, comments);
    }

    private static async Task<(object? Latest, object? Shown)> Both<T>(IQuerySession session, Guid id, long? version, CancellationToken ct) where T : class
    {
        var latest = await session.LoadAsync<T>(id, ct);
        // A version past the last is the item as it stands, as the stepper's "Latest" is.
        return (latest, version is null || latest is null || version >= VersionOf(latest) ? latest : await AsOf.LoadAsync<T>(session, id, null, version, ct));
    }

    private static long VersionOf(object? item) => item switch { Priority p => p.Version, ServiceRedesign r => r.Version, CurriculumChange c => c.Version, _ => 0 };

    /// <summary>Word by word, the longest common subsequence kept and the rest marked added or removed.</summary>
    public static IReadOnlyList<DiffPart> Diff(string before, string after)
    {
        var a = before.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var b = after.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var parts = new List<DiffPart>();
        void Add(string word, int change)
        {
            if (parts.Count > 0 && parts[^1].Change == change)
            {
                parts[^1] = parts[^1] with { Text = $"{parts[^1].Text} {word}" };
            }
            else
            {
                parts.Add(new DiffPart(word, change));
            }
        }

        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                Add(a[x++], 0);
                y++;
            }
            else if (y < b.Length && (x == a.Length || common[x, y + 1] >= common[x + 1, y]))
            {
                Add(b[y++], 1);
            }
            else
            {
                Add(a[x++], -1);
            }
        }

        return parts;
    }
}
