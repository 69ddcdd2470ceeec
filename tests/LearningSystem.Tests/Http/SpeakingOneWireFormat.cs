using System.Text.Json;

namespace LearningSystem.Tests.Http;

/// <summary>
/// Every enum leaves the service spelled as the API takes it ("nurse"), whether in a view, a history item, the
/// event export, a CSV or a replay: the stored spelling ("Nurse") never reaches a client. The audit export is
/// the one exception, by design: it is the events exactly as stored, for their links to be recomputed.
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed class SpeakingOneWireFormat(ServiceFixture service)
{
    /// <summary>Every enum value of ours as C# names it, where that differs from its wire spelling.</summary>
    private static readonly HashSet<string> StoredSpellings = typeof(LearningSystem.Http.WireValues<>).Assembly.GetTypes()
        .Where(t => t.IsEnum && t.Namespace?.StartsWith("LearningSystem", StringComparison.Ordinal) == true)
        .SelectMany(Enum.GetNames)
        .Where(n => JsonNamingPolicy.CamelCase.ConvertName(n) != n)
        .ToHashSet(StringComparer.Ordinal);

    [Fact]
    public async Task Views_history_exports_csv_and_replays_spell_enums_as_the_api_does()
    {
        var (outcome, organisation) = await service.PlayJennysStoryAsync("wire");
        var urls = new[]
        {
            $"/api/priorities/{outcome.AgreedPriority}", $"/api/streams/{outcome.AgreedPriority}/events", $"/api/priorities/{outcome.AgreedPriority}/replay",
            $"/api/service-redesigns/{outcome.Redesign}", $"/api/streams/{outcome.Redesign}/events", $"/api/rounds/{outcome.Round}",
            $"/api/rounds/{outcome.Round}/results", $"/api/rounds/{outcome.Round}/balance", $"/api/rounds/{outcome.Round}/replay",
            $"/api/curriculum-changes/{outcome.CurriculumChange}", $"/api/lineage/{outcome.FirstFeedback}", "/api/priorities?setByGroup=patient",
            "/api/export/events", "/api/export/priorities.csv", $"/api/rounds/{outcome.Round}/results.csv", $"/api/rounds/{outcome.Round}/balance.csv",
        };

        var seen = 0;
        foreach (var url in urls)
        {
            var (text, type) = await service.Host.GetTextAsync(url, organisation);
            var values = type.StartsWith("text/csv", StringComparison.Ordinal)
                ? text.Split('\n').SelectMany(line => line.Split(',')).Select(cell => cell.Trim().Trim('"'))
                : type.Contains("ndjson", StringComparison.Ordinal)
                    ? text.Split('\n', StringSplitOptions.RemoveEmptyEntries).SelectMany(line => Strings(JsonDocument.Parse(line).RootElement))
                    : Strings(JsonDocument.Parse(text).RootElement);
            var all = values.ToArray();
            seen += all.Length;
            Assert.True(!all.Any(StoredSpellings.Contains), $"{url} shows {string.Join(", ", all.Where(StoredSpellings.Contains).Distinct())}");
        }

        Assert.True(seen > 1_000, $"only {seen} values were read");
        // The check can fail: the audit export keeps each event's data as stored, and the check sees the stored spelling there.
        var (stored, _) = await service.Host.GetTextAsync("/api/audit/export", organisation);
        var data = stored.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)
            .Where(line => line.TryGetProperty("data", out _)).SelectMany(line => Strings(JsonDocument.Parse(line.GetProperty("data").GetString()!).RootElement));
        Assert.Contains(data, StoredSpellings.Contains);
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };
}
