using System.Text.RegularExpressions;

namespace LearningSystem.Tests.Architecture;

/// <summary>
/// The rooms and allowed dependencies as <c>docs/architecture.md</c> draws them in Mermaid: subgraphs are layers,
/// and an arrow between rooms or layers allows every room at its tail to use every room at its head.
/// </summary>
public sealed partial class RoomDiagram
{
    private readonly Dictionary<string, string> _layerOf = new(StringComparer.Ordinal);
    private readonly List<(string From, string To)> _arrows = [];

    public IReadOnlyCollection<string> RoomsDrawn => _layerOf.Keys;

    public IReadOnlyList<(string From, string To)> Arrows => _arrows;

    public static RoomDiagram Read(string markdown)
    {
        var block = MermaidBlock().Match(markdown);
        Assert.True(block.Success, "docs/architecture.md has no mermaid block.");
        var diagram = new RoomDiagram();
        string? layer = null;
        foreach (var raw in block.Groups[1].Value.Split('\n'))
        {
            var line = raw.Trim();
            if (Subgraph().Match(line) is { Success: true } opened)
            {
                layer = opened.Groups[1].Value;
            }
            else if (line == "end")
            {
                layer = null;
            }
            else if (Arrow().Match(line) is { Success: true } arrow)
            {
                foreach (var from in arrow.Groups[1].Value.Split('&', StringSplitOptions.TrimEntries))
                {
                    foreach (var to in arrow.Groups[2].Value.Split('&', StringSplitOptions.TrimEntries))
                    {
                        diagram._arrows.Add((from, to));
                    }
                }
            }
            else if (layer is not null && line.Length > 0)
            {
                diagram._layerOf[line] = layer;
            }
        }

        return diagram;
    }

    /// <summary>Whether an arrow allows <paramref name="from"/> to use <paramref name="to"/>: drawn between them, or between their layers, or one and the other's layer.</summary>
    public (string From, string To)? ArrowFor(string from, string to)
    {
        string[] tails = [from, _layerOf.GetValueOrDefault(from, from)];
        string[] heads = [to, _layerOf.GetValueOrDefault(to, to)];
        return _arrows.Where(a => tails.Contains(a.From) && heads.Contains(a.To)).Select(a => ((string, string)?)a).FirstOrDefault();
    }

    /// <summary>Every way <paramref name="found"/> departs from the diagram, in words; none when they agree.</summary>
    public IReadOnlyList<string> Departures(IReadOnlyList<Rooms.Dependency> found)
    {
        var departures = new List<string>();
        foreach (var room in found.SelectMany(d => new[] { d.From, d.To }).Distinct().Where(r => !_layerOf.ContainsKey(r)).Order(StringComparer.Ordinal))
        {
            departures.Add($"The room {room} is not in the diagram.");
        }

        var used = new HashSet<(string, string)>();
        foreach (var dependency in found)
        {
            if (ArrowFor(dependency.From, dependency.To) is { } arrow)
            {
                used.Add(arrow);
            }
            else
            {
                departures.Add($"{dependency.From} may not use {dependency.To}: {dependency.Example}.");
            }
        }

        departures.AddRange(_arrows.Distinct().Where(a => !used.Contains(a)).Select(a => $"The arrow {a.From} --> {a.To} is drawn but nothing uses it."));
        return departures;
    }

    [GeneratedRegex(@"```mermaid\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex MermaidBlock();

    [GeneratedRegex(@"^subgraph (\w+)")]
    private static partial Regex Subgraph();

    // "A & B --> C & D", or dotted with a label: "A -. ""why"" .-> B".
    [GeneratedRegex(@"^([\w &]+?)\s*(?:-->|-\.\s*""[^""]*""\s*\.->)\s*([\w &]+)$")]
    private static partial Regex Arrow();
}
