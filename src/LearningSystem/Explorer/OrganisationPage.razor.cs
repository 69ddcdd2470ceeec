using LearningSystem.Audit.Checkpoints;
using LearningSystem.Curriculum;
using LearningSystem.Decisions;
using LearningSystem.LearningLoop;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using LearningSystem.ServiceRedesigns;
using Marten;
using LearningSystem.Http;

namespace LearningSystem.Explorer;

/// <summary>A link to an item's page, with a line about it.</summary>
public sealed record ItemLink(string Title, string Href, string Meta);

public sealed record OrganisationModel(
    OpenLoopsView Loops, IReadOnlyList<ItemLink> Decisions, IReadOnlyList<ItemLink> Rounds, IReadOnlyList<ItemLink> Priorities,
    IReadOnlyList<ItemLink> Redesigns, IReadOnlyList<ItemLink> CurriculumChanges, AuditCheckpoint? LastCheckpoint, long EventsSinceCheckpoint);

public partial class OrganisationPage : IPage<OrganisationModel>
{
    public const int Recent = 15;

    public static async Task<OrganisationModel?> LoadAsync(IQuerySession session, Viewer viewer, TimeProvider clock, IConfiguration configuration, CancellationToken ct)
    {
        var loops = await OpenLoopsEndpoint.Get(null, session, clock, configuration, ct);
        var decisions = await session.Query<DecisionEntry>().OrderByDescending(d => d.At).Take(Recent).ToListAsync(ct);
        var proposals = decisions.Select(d => d.ProposalId).ToArray();
        var batch = session.CreateBatchQuery();
        var decidedPriorities = batch.LoadMany<Priority>().ById(proposals);
        var decidedRedesigns = batch.LoadMany<ServiceRedesign>().ById(proposals);
        var decidedChanges = batch.LoadMany<CurriculumChange>().ById(proposals);
        var rounds = batch.Query<Round>().Where(r => r.Stage != RoundStage.Published).OrderByDescending(r => r.OpenedAt).Take(Recent).ToList();
        var priorities = batch.Query<Priority>().OrderByDescending(p => p.SetAt).Take(Recent).ToList();
        var redesigns = batch.Query<ServiceRedesign>().OrderByDescending(r => r.ProposedAt).Take(Recent).ToList();
        var changes = batch.Query<CurriculumChange>().OrderByDescending(c => c.ProposedAt).Take(Recent).ToList();
        await batch.Execute(ct);

        var titles = (await decidedPriorities).Select(p => (p.Id, Title: p.Negotiation.Wording))
            .Concat((await decidedRedesigns).Select(r => (r.Id, r.Title)))
            .Concat((await decidedChanges).Select(c => (c.Id, Title: c.LearningOutcome)))
            .ToDictionary(x => x.Id, x => x.Title);

        AuditCheckpoint? last = null;
        long since = 0;
        if (viewer.May(Access.Scopes.AuditRead))
        {
            last = await session.Chained().OrderByDescending(c => c.Number).FirstOrDefaultAsync(ct);
            var after = last?.UpToSequence ?? 0;
            since = await session.Events.QueryAllRawEvents().Where(e => e.Sequence > after).CountAsync(ct);
        }

        return new OrganisationModel(
            loops,
            [.. decisions.Select(d => new ItemLink(titles.GetValueOrDefault(d.ProposalId, $"Proposal {d.ProposalId}"),
                Href.Decision(d.Id), $"decided {Pages.When(d.At)}"))],
            [.. (await rounds).Select(r => new ItemLink(r.Question, Href.Round(r.Id), $"{r.Stage.ToString().ToLowerInvariant()}, {r.Respondents} respondents"))],
            [.. (await priorities).Select(p => new ItemLink(p.Negotiation.Wording, Href.Priority(p.Id), $"{WireValues<PriorityStatus>.Name(p.Status)}, set {Pages.When(p.SetAt)}"))],
            [.. (await redesigns).Select(r => new ItemLink(r.Title, Href.ServiceRedesign(r.Id), $"{r.Service}, proposed {Pages.When(r.ProposedAt)}"))],
            [.. (await changes).Select(c => new ItemLink(c.LearningOutcome, Href.CurriculumChange(c.Id), $"{c.Course}, proposed {Pages.When(c.ProposedAt)}"))],
            last, since);
    }
}
