using LearningSystem.Explorer.Pictures;
using LearningSystem.LearningLoop;

namespace LearningSystem.Explorer;

public partial class LineagePage : IPage<LearningSystem.LearningLoop.LineageView>
{
    /// <summary>The loop drawn left to right the way it runs; each node links to its own page where it has one.</summary>
    public static (IReadOnlyList<GraphNode> Nodes, IReadOnlyList<GraphEdge> Edges) Draw(LineageView view)
    {
        var edges = view.Edges.Select(e => new GraphEdge(e.From, e.To, e.Relation)).ToArray();
        var depth = Layered.Depths(view.Nodes.Select(n => n.Id), edges);
        var pages = LinkTargets(view);
        var nodes = view.Nodes
            .OrderBy(n => depth[n.Id]).ThenBy(n => n.At)
            .Select(n => new GraphNode(n.Id, $"{Kind(n.Kind)}: {n.Label}", depth[n.Id], n.Id == view.Start ? $"k-{n.Kind} k-start" : $"k-{n.Kind}", pages.GetValueOrDefault(n.Id), n.Label))
            .ToArray();
        return (nodes, edges);
    }

    public static string Kind(string kind) => kind switch
    {
        "curriculumChange" => "Curriculum change",
        "teachingSession" => "Teaching session",
        _ => char.ToUpperInvariant(kind[0]) + kind[1..],
    };

    /// <summary>
    /// Where each node leads: an item with a page of its own to that page, feedback, lessons and reflections to
    /// their own lineage, and a step inside an item (a decision, an implementation, an outcome, an evaluation, a
    /// teaching session) to the page of the item it belongs to, found by walking its edges back to it.
    /// </summary>
    public static IReadOnlyDictionary<string, string> LinkTargets(LineageView view)
    {
        var byId = view.Nodes.ToDictionary(n => n.Id);
        var from = view.Edges.ToLookup(e => e.To, e => e.From);
        var pages = new Dictionary<string, string>();
        string? PageOf(string id, HashSet<string> walked)
        {
            if (!walked.Add(id) || !byId.TryGetValue(id, out var node))
            {
                return null;
            }

            return node.Kind switch
            {
                "priority" => Href.Priority(Guid.Parse(id)),
                "redesign" => Href.ServiceRedesign(Guid.Parse(id)),
                "curriculumChange" => Href.CurriculumChange(Guid.Parse(id)),
                "feedback" or "lesson" or "reflection" => Href.Lineage(id),
                // "{item}/decision" is the decision on that item.
                "decision" => PageOf(id.Split('/')[0], walked),
                _ => from[id].Select(parent => PageOf(parent, walked)).FirstOrDefault(page => page is not null),
            };
        }

        foreach (var node in view.Nodes)
        {
            if (PageOf(node.Id, []) is { } page)
            {
                pages[node.Id] = page;
            }
        }

        return pages;
    }
}
