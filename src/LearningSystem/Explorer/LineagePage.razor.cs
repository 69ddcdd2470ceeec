using LearningSystem.Explorer.Pictures;
using LearningSystem.LearningLoop;

namespace LearningSystem.Explorer;

public partial class LineagePage
{
    /// <summary>The loop drawn left to right the way it runs; each node links to its own page where it has one.</summary>
    public static (IReadOnlyList<GraphNode> Nodes, IReadOnlyList<GraphEdge> Edges) Draw(LineageView view)
    {
        var edges = view.Edges.Select(e => new GraphEdge(e.From, e.To, e.Relation)).ToArray();
        var depth = Layered.Depths(view.Nodes.Select(n => n.Id), edges);
        var nodes = view.Nodes
            .OrderBy(n => depth[n.Id]).ThenBy(n => n.At)
            .Select(n => new GraphNode(n.Id, $"{Kind(n.Kind)}: {n.Label}", depth[n.Id], n.Id == view.Start ? $"k-{n.Kind} k-start" : $"k-{n.Kind}", Href(n), n.Label))
            .ToArray();
        return (nodes, edges);
    }

    public static string Kind(string kind) => kind switch
    {
        "curriculumChange" => "Curriculum change",
        "teachingSession" => "Teaching session",
        _ => char.ToUpperInvariant(kind[0]) + kind[1..],
    };

    private static string? Href(LineageNode node)
    {
        var id = node.Id.Split('/')[0];
        return node.Kind switch
        {
            "priority" => $"{ExplorerModule.Root}/priorities/{id}",
            "redesign" or "decision" or "implementation" or "outcome" or "evaluation" when node.Id.Contains('/') || node.Kind == "redesign" => $"{ExplorerModule.Root}/service-redesigns/{id}",
            "curriculumChange" => $"{ExplorerModule.Root}/curriculum-changes/{id}",
            _ when Guid.TryParse(id, out _) => $"{ExplorerModule.Root}/lineage/{id}",
            _ => null,
        };
    }
}
