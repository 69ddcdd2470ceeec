using LearningSystem.Negotiating;
using LearningSystem.Audit.Verifying;
using LearningSystem.Decisions.Reading;
using LearningSystem.Explorer.Pictures;
using LearningSystem.PersonalData;
using Marten;
using LearningSystem.Http;

namespace LearningSystem.Explorer;

public sealed record DecisionModel(DecisionProvenanceView View, IReadOnlyList<GraphNode> Nodes, IReadOnlyList<GraphEdge> Edges, string ProposalHref);

public partial class DecisionPage : IPage<DecisionModel>
{
    public static readonly IReadOnlyList<string> Columns = ["Agents", "Acts", "Wordings and evidence", "Decision"];

    public static async Task<DecisionModel?> LoadAsync(IQuerySession session, PersonalDataVault vault, ChainVerifier verifier, Guid id, CancellationToken ct) =>
        await DecisionProvenanceEndpoint.Get(id, session, vault, verifier, ct) is { } view ? Compose(view) : null;

    /// <summary>
    /// The provenance as a graph: agents (coloured by their group at the time) associated with their acts, the acts
    /// that made each wording current, and the wordings, evidence and acts the decision used.
    /// </summary>
    public static DecisionModel Compose(DecisionProvenanceView v)
    {
        var nodes = new List<GraphNode>();
        var edges = new List<GraphEdge>();
        var decision = $"decision:{v.Id}";
        var agents = v.Acts.Select(a => a.By).Concat([v.DecidedBy]).Concat(v.DecisionMakers).DistinctBy(p => p.Id).ToArray();
        nodes.AddRange(agents.Select(p => new GraphNode($"agent:{p.Id}", p.DisplayName, 0, $"g-{Pages.Wire(p.StakeholderGroup)}", null, Pages.Wire(p.StakeholderGroup))));
        foreach (var act in v.Acts)
        {
            var node = $"act:{act.EventId}";
            nodes.Add(new GraphNode(node, $"{act.Move} by {act.By.DisplayName}", 1, "k-act", null, $"version {act.Version}, {Pages.When(act.At)}{(act.Reason is null ? "" : $": {act.Reason}")}"));
            edges.Add(new GraphEdge($"agent:{act.By.Id}", node, "wasAssociatedWith"));
            edges.Add(new GraphEdge(node, decision, "informed"));
        }

        foreach (var w in v.Wordings)
        {
            var node = $"wording:{w.Number}";
            nodes.Add(new GraphNode(node, $"Wording {w.Number}: {w.Text}", 2, "k-wording", null, w.Text));
            edges.Add(new GraphEdge($"act:{w.MadeCurrentBy}", node, "wasGeneratedBy"));
            edges.Add(new GraphEdge(node, decision, "used"));
        }

        foreach (var f in v.Feedback)
        {
            nodes.Add(new GraphNode($"feedback:{f.Id}", $"Feedback: {f.Service}", 2, "k-evidence", Href.Lineage(f.Id),
                $"rated {WireValues<LearningSystem.Feedback.FeedbackRating>.Name(f.Rating)}"));
            edges.Add(new GraphEdge($"feedback:{f.Id}", decision, "used"));
        }

        foreach (var p in v.Priorities)
        {
            nodes.Add(new GraphNode($"priority:{p.Id}", $"Priority: {p.Statement}", 2, "k-evidence", Href.Priority(p.Id), p.Statement));
            edges.Add(new GraphEdge($"priority:{p.Id}", decision, "used"));
        }

        nodes.Add(new GraphNode(decision, $"Decision: {v.Outcome}", 3, "k-decision", null, v.Rationale));
        foreach (var maker in v.DecisionMakers.Append(v.DecidedBy).DistinctBy(p => p.Id))
        {
            edges.Add(new GraphEdge($"agent:{maker.Id}", decision, "wasAttributedTo"));
        }

        var kind = v.Kind switch
        {
            "priority" => Moves.Priorities,
            "serviceRedesign" => Moves.ServiceRedesigns,
            _ => Moves.CurriculumChanges,
        };
        return new DecisionModel(v, nodes, edges, Href.Proposal(kind, v.ProposalId));
    }
}
