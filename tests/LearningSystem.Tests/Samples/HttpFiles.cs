using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LearningSystem.Tests.Samples;

/// <summary>
/// Runs a <c>.http</c> file top to bottom as the REST clients of Visual Studio and VS Code do: file variables
/// (<c>@name = value</c>), <c>{{$guid}}</c>, and named requests (<c># @name x</c>) whose answers later requests
/// read (<c>{{x.response.body.$.id}}</c>, <c>{{x.response.headers.ETag}}</c>). Each request must answer 2xx,
/// or the status its <c># @expect</c> comment names.
/// </summary>
public static partial class HttpFiles
{
    public sealed record Outcome(string Request, int Status, bool AsExpected, string Answer)
    {
        /// <summary>The block's title: the operation id.</summary>
        public string Operation { get; init; } = "";

        public string? Body { get; init; }

        public string? AnswerType { get; init; }
    }

    public static async Task<IReadOnlyList<Outcome>> RunAsync(string text, HttpClient http, IReadOnlyDictionary<string, string> overrides)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var answers = new Dictionary<string, (JsonElement? Body, HttpResponseMessage Response)>(StringComparer.Ordinal);
        var outcomes = new List<Outcome>();
        var blocks = Separator().Split(text);
        foreach (Match variable in FileVariable().Matches(blocks[0]))
        {
            variables[variable.Groups["name"].Value] = variable.Groups["value"].Value.Trim();
        }

        foreach (var (name, value) in overrides)
        {
            variables[name] = value;
        }

        string Resolve(string s) => Placeholder().Replace(s, m =>
        {
            var expression = m.Groups[1].Value.Trim();
            if (expression == "$guid")
            {
                return Guid.NewGuid().ToString();
            }

            if (variables.TryGetValue(expression, out var value))
            {
                return Resolve(value);
            }

            var parts = expression.Split('.', 4);
            if (parts is [var request, "response", "body", var path] && answers.TryGetValue(request, out var body) && body.Body is { } json)
            {
                return Select(json, path);
            }

            if (parts is [var named, "response", "headers", var header] && answers.TryGetValue(named, out var answered))
            {
                return answered.Response.Headers.TryGetValues(header, out var values) ? string.Join(",", values) : "";
            }

            throw new InvalidOperationException($"{{{{{expression}}}}} is not defined before it is used.");
        });

        foreach (var block in blocks.Skip(1))
        {
            var lines = block.Replace("\r", "", StringComparison.Ordinal).Split('\n');
            var title = lines[0].Trim();
            var requestName = default(string);
            var expected = default(int?);
            var index = 1;
            for (; index < lines.Length && (lines[index].StartsWith('#') || lines[index].StartsWith("//", StringComparison.Ordinal) || lines[index].Trim().Length == 0); index++)
            {
                if (Directive().Match(lines[index]) is { Success: true } directive)
                {
                    if (directive.Groups["kind"].Value == "name")
                    {
                        requestName = directive.Groups["value"].Value;
                    }
                    else
                    {
                        expected = int.Parse(directive.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }

            if (index >= lines.Length)
            {
                continue;
            }

            var requestLine = Resolve(lines[index++]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            using var request = new HttpRequestMessage(new HttpMethod(requestLine[0]), requestLine[1]);
            var headers = new List<(string, string)>();
            for (; index < lines.Length && lines[index].Trim().Length > 0; index++)
            {
                var colon = lines[index].IndexOf(':', StringComparison.Ordinal);
                headers.Add((lines[index][..colon].Trim(), Resolve(lines[index][(colon + 1)..].Trim())));
            }

            var body = string.Join('\n', lines.Skip(index).Where(l => !l.StartsWith('#'))).Trim();
            if (body.Length > 0)
            {
                request.Content = new StringContent(Resolve(body), Encoding.UTF8);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            foreach (var (header, value) in headers)
            {
                if (header.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    if (request.Content is not null)
                    {
                        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
                    }
                }
                else
                {
                    request.Headers.TryAddWithoutValidation(header, value);
                }
            }

            var sent = request.Content is null ? null : await request.Content.ReadAsStringAsync();
            var response = await http.SendAsync(request);
            var answer = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            outcomes.Add(new Outcome($"{title} ({requestLine[0]} {request.RequestUri})", status,
                expected is { } wanted ? status == wanted : status is >= 200 and < 300, answer)
            {
                Operation = title, Body = sent, AnswerType = response.Content.Headers.ContentType?.MediaType,
            });
            if (requestName is not null)
            {
                JsonElement? json = null;
                if (response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true && answer.Length > 0)
                {
                    json = JsonDocument.Parse(answer).RootElement.Clone();
                }

                answers[requestName] = (json, response);
            }
        }

        return outcomes;
    }

    /// <summary>A small JSONPath: <c>$.a.b</c>, <c>$.a[0].b</c>.</summary>
    private static string Select(JsonElement json, string path)
    {
        var current = json;
        foreach (Match step in PathStep().Matches(path.TrimStart('$')))
        {
            current = step.Groups["name"].Success ? current.GetProperty(step.Groups["name"].Value) : current[int.Parse(step.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture)];
        }

        return current.ValueKind == JsonValueKind.String ? current.GetString()! : current.GetRawText();
    }

    [GeneratedRegex(@"^###", RegexOptions.Multiline)]
    private static partial Regex Separator();

    [GeneratedRegex(@"^@(?<name>\w+)\s*=\s*(?<value>.*)$", RegexOptions.Multiline)]
    private static partial Regex FileVariable();

    [GeneratedRegex(@"\{\{(.+?)\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^\s*#\s*@(?<kind>name|expect)\s+(?<value>\S+)")]
    private static partial Regex Directive();

    [GeneratedRegex(@"\.(?<name>\w+)|\[(?<index>\d+)\]")]
    private static partial Regex PathStep();
}
