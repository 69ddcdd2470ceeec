using System.Globalization;
using System.Text;

namespace LearningSystem.Http;

/// <summary>Lists and views as CSV (RFC 4180), for spreadsheets: one header row, then a row per item.</summary>
public static class Csv
{
    public const string MediaType = "text/csv";

    public static IResult Text(IReadOnlyList<string> header, IEnumerable<object?[]> rows)
    {
        var text = new StringBuilder();
        Row(text, header);
        foreach (var row in rows)
        {
            Row(text, row);
        }

        return Results.Text(text.ToString(), $"{MediaType}; charset=utf-8");
    }

    /// <summary>Rows written as they are read, so a download of a long list never holds it all.</summary>
    public static IResult Stream(IReadOnlyList<string> header, IAsyncEnumerable<object?[]> rows, string fileName) =>
        Results.Stream(async body =>
        {
            await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024);
            var line = new StringBuilder();
            Row(line, header);
            await writer.WriteAsync(line);
            await foreach (var row in rows)
            {
                line.Clear();
                Row(line, row);
                await writer.WriteAsync(line);
            }
        }, $"{MediaType}; charset=utf-8", fileName);

    private static void Row(StringBuilder text, IEnumerable<object?> values) =>
        text.AppendJoin(',', values.Select(v => Field(v switch
        {
            null => "",
            DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            Enum e => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(e.ToString()),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var other => other.ToString() ?? "",
        }))).Append("\r\n");

    // Quoted when it holds a comma, quote or line break; a leading =, +, - or @ is prefixed so spreadsheets do not run it.
    private static string Field(string value)
    {
        var safe = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' && !double.TryParse(value, CultureInfo.InvariantCulture, out _) ? $"'{value}" : value;
        return safe.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{safe.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : safe;
    }
}
