using System.Globalization;
using System.Text;

namespace LearningSystem.Benchmarks;

/// <summary>
/// docs/benchmarks.md shows every benchmark's targets, not only the suite's. A benchmark that writes a report of
/// its own also rewrites its block there (between two comments named for it), and the suite carries the blocks
/// over when it rewrites the page, so each block is always what its own command last measured.
/// </summary>
public static class TargetsSummary
{
    public const string Heading = "## The other benchmarks' targets";

    /// <summary>The benchmarks whose blocks the page carries, in the order shown.</summary>
    private static readonly string[] Benchmarks = ["personal-data", "growth", "analysis", "fhir"];

    /// <summary>One benchmark's block: the command that measured it, when, and a row per target (target, measured, met or missed).</summary>
    public static string Block(string benchmark, string command, IEnumerable<(string Target, string Measured, bool Met)> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(Start(benchmark));
        text.AppendLine(CultureInfo.InvariantCulture, $"`{command}` on {DateTime.UtcNow:yyyy-MM-dd} ([report](benchmarks/{benchmark}.md)):");
        text.AppendLine();
        text.AppendLine("| target | measured | |");
        text.AppendLine("| --- | ---: | --- |");
        foreach (var (target, measured, met) in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {target} | {measured} | {(met ? "met" : "missed")} |");
        }

        text.AppendLine(End(benchmark));
        return text.ToString();
    }

    /// <summary>Puts <paramref name="block"/> in place of the benchmark's block on the page, keeping the others and the rest of the page.</summary>
    public static async Task RecordAsync(string root, string benchmark, string block)
    {
        var path = PagePath(root);
        var page = File.Exists(path) ? await File.ReadAllTextAsync(path) : "# Benchmarks\n";
        var blocks = Benchmarks.ToDictionary(b => b, b => Find(page, b));
        blocks[benchmark] = block;
        var section = Section(blocks);
        var at = page.IndexOf(Heading, StringComparison.Ordinal);
        if (at < 0)
        {
            page = page.TrimEnd() + "\n\n" + section;
        }
        else
        {
            // The section runs to the next heading of its level, or to the end of the page.
            var next = page.IndexOf("\n## ", at + Heading.Length, StringComparison.Ordinal);
            page = page[..at] + section + (next < 0 ? "" : "\n" + page[(next + 1)..]);
        }

        await File.WriteAllTextAsync(path, page);
    }

    /// <summary>The section as the page has it now, for the suite to write again when it rewrites the page.</summary>
    public static string Carried(string root)
    {
        var path = PagePath(root);
        var page = File.Exists(path) ? File.ReadAllText(path) : "";
        return Section(Benchmarks.ToDictionary(b => b, b => Find(page, b)));
    }

    private static string Section(Dictionary<string, string?> blocks) =>
        $"{Heading}\n\nEach block is written by its own benchmark's command, when it writes its report; the suite keeps them as they are.\n\n"
        + string.Join("\n", Benchmarks.Select(b => blocks[b]).OfType<string>());

    private static string PagePath(string root) => Path.Combine(root, "docs", "benchmarks.md");

    private static string Start(string benchmark) => $"<!-- targets: {benchmark} -->";

    private static string End(string benchmark) => $"<!-- end of targets: {benchmark} -->";

    private static string? Find(string page, string benchmark)
    {
        var start = page.IndexOf(Start(benchmark), StringComparison.Ordinal);
        var end = page.IndexOf(End(benchmark), StringComparison.Ordinal);
        return start < 0 || end < start ? null : page[start..(end + End(benchmark).Length)] + "\n";
    }
}
