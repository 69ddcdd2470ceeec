using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LearningSystem.Tests.Samples;

/// <summary>
/// The HTTP commands the README and the guides in docs/ show stay tested: every <c>curl</c> names a request
/// the <c>.http</c> files make (and a test plays every one of them, expecting its answer), and the README's tour
/// plays against the service as written.
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed partial class DocumentedCommands(ServiceFixture service)
{
    public sealed record Curl(string File, string Method, string Path, string? Body);

    [Fact]
    public void Every_curl_in_the_readme_and_the_guides_is_a_request_the_http_files_play()
    {
        var played = Directory.GetFiles(Path.Combine(Repository.Root, "samples", "http"), "*.http")
            .SelectMany(f => HttpRequestLine().Matches(File.ReadAllText(f)))
            .Select(m => (Method: m.Groups["method"].Value, Segments: Template(m.Groups["path"].Value)))
            .ToArray();

        var curls = Documented().ToArray();
        var unplayed = curls
            .Where(c => !played.Any(p => p.Method == c.Method && Same(p.Segments, Template(c.Path))))
            .Select(c => $"{c.File}: {c.Method} {c.Path}").ToArray();

        Assert.True(curls.Length >= 20, $"Only {curls.Length} curl commands were found; the parser lost some.");
        Assert.True(unplayed.Length == 0, "Shown but played by no .http file:\n" + string.Join('\n', unplayed));
    }

    [Fact]
    public async Task The_readmes_tour_plays_against_the_service_as_written()
    {
        // The tour of the JSON API; the FHIR exchange the README shows is played by fhir.http.
        var tour = Documented().Where(c => c.File == "README.md" && c.Method == "POST" && c.Path.StartsWith("/api/", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["/api/participants", "/api/patient-feedback", "/api/service-redesigns"], tour.Select(c => c.Path));
        var organisation = Stories.NewOrganisation("readme-tour");
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        using var http = service.Host.Server.CreateClient();
        foreach (var curl in tour)
        {
            var body = curl.Body!.Replace("<participant id>", ids.GetValueOrDefault("/api/participants"), StringComparison.Ordinal)
                .Replace("<feedback id>", ids.GetValueOrDefault("/api/patient-feedback"), StringComparison.Ordinal);
            using var request = new HttpRequestMessage(HttpMethod.Post, curl.Path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Api-Key", ServiceFixture.KeyOf("tests"));
            request.Headers.Add("X-Organisation", organisation);
            using var answer = await http.SendAsync(request);
            var text = await answer.Content.ReadAsStringAsync();

            Assert.True(answer.StatusCode == HttpStatusCode.Created, $"{curl.Path} answered {(int)answer.StatusCode}: {text}");
            ids[curl.Path] = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
        }
    }

    /// <summary>Every curl of README.md and docs/*.md: its method (<c>-X</c>, else POST with a body, else GET), path and body.</summary>
    public static IEnumerable<Curl> Documented()
    {
        var files = new[] { Path.Combine(Repository.Root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md").Order(StringComparer.Ordinal));
        foreach (var file in files)
        {
            var name = Path.GetRelativePath(Repository.Root, file).Replace('\\', '/');
            foreach (Match block in ShellBlock().Matches(File.ReadAllText(file)))
            {
                foreach (var command in Commands(block.Groups[1].Value).Where(c => c.Contains("curl ", StringComparison.Ordinal)))
                {
                    var url = LocalUrl().Match(command);
                    if (!url.Success)
                    {
                        continue;
                    }

                    var body = Body().Match(command) is { Success: true } b ? b.Groups[1].Value : null;
                    var method = ExplicitMethod().Match(command) is { Success: true } x ? x.Groups[1].Value
                        : body is not null || command.Contains(" -d ", StringComparison.Ordinal) ? "POST" : "GET";
                    yield return new Curl(name, method, url.Groups[1].Value, body);
                }
            }
        }
    }

    /// <summary>A block's commands, one per line: a command goes on after a trailing backslash, or while a single quote is open.</summary>
    private static IEnumerable<string> Commands(string block)
    {
        var command = new StringBuilder();
        var quoted = false;
        foreach (var raw in block.Split('\n'))
        {
            // Outside a quote, a comment is not part of the command (and may hold an apostrophe).
            var line = quoted ? raw : WithoutComment(raw);
            quoted ^= line.Count(c => c == '\'') % 2 == 1;
            var continues = quoted || line.TrimEnd().EndsWith('\\');
            command.Append(line.TrimEnd().TrimEnd('\\')).Append(' ');
            if (!continues)
            {
                yield return command.ToString();
                command.Clear();
            }
        }

        if (command.Length > 0)
        {
            yield return command.ToString();
        }
    }

    private static string WithoutComment(string line)
    {
        if (line.TrimStart().StartsWith('#'))
        {
            return "";
        }

        var comment = line.IndexOf(" # ", StringComparison.Ordinal);
        return comment >= 0 && line[..comment].Count(c => c == '\'') % 2 == 0 ? line[..comment] : line;
    }

    /// <summary>A path with its variable segments (<c>&lt;id&gt;</c>, <c>{{x.response…}}</c>, a literal id) made one placeholder, and no query.</summary>
    private static string[] Template(string path) =>
        path.Split('?')[0].Split('/').Select(s => VariableSegment().IsMatch(s) ? "{}" : s).ToArray();

    // A variable segment on either side stands for any value: the .http files name the proposal's kind in a variable.
    private static bool Same(string[] played, string[] shown) =>
        played.Length == shown.Length && played.Zip(shown).All(p => p.First == p.Second || p.First == "{}" || p.Second == "{}");

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"http://localhost:5080(/[^\s'""]*)")]
    private static partial Regex LocalUrl();

    [GeneratedRegex(@" -X ([A-Z]+)")]
    private static partial Regex ExplicitMethod();

    [GeneratedRegex(@" -d '([^']*)'", RegexOptions.Singleline)]
    private static partial Regex Body();

    [GeneratedRegex(@"^(?<method>GET|POST|PUT|DELETE|PATCH) \{\{host\}\}(?<path>/\S*)", RegexOptions.Multiline)]
    private static partial Regex HttpRequestLine();

    [GeneratedRegex(@"^(<[^>]*>|\{\{.*\}\}|\{[^}]*\}|[0-9a-f]{8}-[0-9a-f-]{27}|kiosk-7f3a)$")]
    private static partial Regex VariableSegment();
}
