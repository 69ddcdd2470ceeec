using System.Text.RegularExpressions;

namespace LearningSystem.Tests.Samples;

/// <summary>Every link between the README and the guides leads somewhere: the file exists, and so does the heading it names.</summary>
public sealed partial class DocumentLinks
{
    [Fact]
    public void Every_relative_link_in_the_readme_and_docs_reaches_its_file_and_heading()
    {
        var pages = new[] { Path.Combine(Repository.Root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md", SearchOption.AllDirectories));
        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var page in pages)
        {
            var text = Fence().Replace(File.ReadAllText(page), "");
            foreach (Match link in Link().Matches(text))
            {
                var target = link.Groups[1].Value;
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                checkedLinks++;
                var (file, anchor) = target.Split('#', 2) is [var f, var a] ? (f, a) : (target, null);
                var path = file.Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, file));
                var from = Path.GetRelativePath(Repository.Root, page);
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    broken.Add($"{from}: {target} (no such file)");
                }
                else if (anchor is not null && path.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(path)).Contains(anchor))
                {
                    broken.Add($"{from}: {target} (no such heading)");
                }
            }
        }

        Assert.True(checkedLinks > 20, $"Only {checkedLinks} links were found.");
        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    /// <summary>The anchors GitHub makes of a page's headings: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static HashSet<string> Anchors(string markdown) =>
        Heading().Matches(Fence().Replace(markdown, ""))
            .Select(h => NotInAnchor().Replace(h.Groups[1].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"```.*?```", RegexOptions.Singleline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#{1,6} (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{Nd} _-]")]
    private static partial Regex NotInAnchor();
}
