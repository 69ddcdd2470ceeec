namespace LearningSystem.Explorer.Pictures;

/// <summary>A node of a drawn graph: its column, the class that colours it, and the page it links to.</summary>
public sealed record GraphNode(string Id, string Label, int Layer, string Class, string? Href = null, string? Detail = null);

public sealed record GraphEdge(string From, string To, string Relation);

/// <summary>A node placed on the drawing.</summary>
public sealed record PlacedNode(GraphNode Node, double X, double Y);

/// <summary>
/// Graphs drawn in columns, left to right the way the acts ran: each node in its layer's column, in the order
/// given. Simple enough to need no library, and the same on every node and every run.
/// </summary>
public static class Layered
{
    public const double NodeWidth = 190, NodeHeight = 40, ColumnGap = 60, RowGap = 14, Top = 34, Left = 8;

    public static (IReadOnlyList<PlacedNode> Nodes, double Width, double Height) Place(IReadOnlyList<GraphNode> nodes)
    {
        var placed = new List<PlacedNode>();
        var layers = nodes.Select(n => n.Layer).Distinct().Order().ToArray();
        var column = layers.Select((layer, i) => (layer, i)).ToDictionary(x => x.layer, x => x.i);
        var rows = 0;
        foreach (var group in nodes.GroupBy(n => n.Layer))
        {
            var row = 0;
            foreach (var node in group)
            {
                placed.Add(new PlacedNode(node, Left + column[node.Layer] * (NodeWidth + ColumnGap), Top + row * (NodeHeight + RowGap)));
                row++;
            }

            rows = Math.Max(rows, row);
        }

        return (placed, Left * 2 + layers.Length * NodeWidth + Math.Max(0, layers.Length - 1) * ColumnGap, Top + rows * (NodeHeight + RowGap));
    }

    /// <summary>Each node's layer: its longest path from a node nothing points to, so every edge runs rightwards.</summary>
    public static IReadOnlyDictionary<string, int> Depths(IEnumerable<string> nodes, IReadOnlyList<GraphEdge> edges)
    {
        var depth = nodes.ToDictionary(n => n, _ => 0);
        // A cycle would never settle; a graph's longest path is shorter than its node count.
        for (var pass = 0; pass < depth.Count; pass++)
        {
            var changed = false;
            foreach (var edge in edges)
            {
                if (depth.TryGetValue(edge.From, out var from) && depth.TryGetValue(edge.To, out var to) && to < from + 1)
                {
                    depth[edge.To] = from + 1;
                    changed = true;
                }
            }

            if (!changed)
            {
                break;
            }
        }

        return depth;
    }

    /// <summary>Whitespace folded to single spaces, as a label is read out.</summary>
    public static string Flat(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// The start of a label that fits; the page adds an ellipsis hidden from screen readers, so that what shows is
    /// always part of the link's accessible name.
    /// </summary>
    public static string Clip(string text, int length = 28)
    {
        var flat = Flat(text);
        if (flat.Length <= length)
        {
            return flat;
        }

        // Whole words only: a cut word would not be part of the name assistive technology reads.
        var cut = flat[..(length - 1)];
        return cut.LastIndexOf(' ') is > 0 and var space ? cut[..space] : cut;
    }

    public static bool Clipped(string text, int length = 28) => Flat(text).Length > length;

    public static string Number(double value) => value.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
}
