using System.Text.Json;
using System.Text.Json.Nodes;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace LearningSystem.Tests.Views;

/// <summary>
/// Keeping a growing record out of the aggregates (endorsements and interim rankings in documents of their
/// own) must not change a single result. Two fixed histories, Jenny's stored story and a generated round of
/// 500 respondents, are appended as stored, and every result, replay, as-of view and provenance read from
/// them is compared with the answers the service gave before the change (the files in <c>unchanged/</c>,
/// written by that version). Only what differs from run to run is blanked: the times the store stamps,
/// sequence numbers, correlation ids and chain hashes. The intended changes are made explicit: a view's
/// list of endorsers became a count, so the old list is compared by its length; a negotiation's objections
/// moved to <c>/objections</c>, where each old list is found again at the same version.
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed class KeepingResultsUnchanged(ServiceFixture service)
{
    private static readonly string Folder = Path.Combine(Repository.Root, "tests", "LearningSystem.Tests", "Analysis", "unchanged");

    /// <summary>Set to rewrite the expected answers from the running code (done once, by the version before the change).</summary>
    private static bool Writing => Environment.GetEnvironmentVariable("LEARNINGSYSTEM_WRITE_UNCHANGED") == "1";

    [Fact]
    public async Task Jennys_stored_story_gives_the_same_results_replays_as_of_views_and_provenance()
    {
        var organisation = Stories.NewOrganisation("same");
        var appended = DateTimeOffset.UtcNow.AddSeconds(-1);
        var stored = File.ReadAllLines(Path.Combine(Repository.Root, "tests", "LearningSystem.Tests", "StoredEvents", "jennys-story.ndjson"))
            .Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<StoredEvent>(l, JsonSerializerOptions.Web)!)
            .ToArray();
        var serializer = service.Host.Services.GetRequiredService<IDocumentStore>().Options.Serializer();
        var types = typeof(Round).Assembly.GetTypes().Where(t => t.Namespace?.StartsWith("LearningSystem", StringComparison.Ordinal) == true && t is { IsClass: true, IsAbstract: false })
            .GroupBy(t => LearningSystem.Http.WireJson.Alias(t.Name)).ToDictionary(g => g.Key, g => g.First());
        await AppendAsync(organisation, stored.GroupBy(e => e.StreamId).Select(s => (s.Key, s.OrderBy(e => e.Version)
            .Select(e => serializer.FromJson(types[e.Type], new MemoryStream(System.Text.Encoding.UTF8.GetBytes(e.Data)))).ToArray())));

        using var ids = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "tests", "LearningSystem.Tests", "StoredEvents", "jennys-story.outcome.json")));
        var round = ids.RootElement.GetProperty("round").GetGuid();
        var priority = ids.RootElement.GetProperty("agreedPriority").GetGuid();
        var redesign = ids.RootElement.GetProperty("redesign").GetGuid();
        var decision = (await service.Host.GetJsonAsync($"/api/priorities/{priority}", organisation: organisation)).GetProperty("decision").GetProperty("id").GetGuid();
        var priorityEvents = stored.Count(e => e.StreamId == priority);
        var roundEvents = stored.Count(e => e.StreamId == round);

        await CompareAsync("jennys-story", organisation, appended, stored.Select(e => e.StreamId).Distinct(),
        [
            .. RoundReads(round, roundEvents),
            $"/api/priorities/{priority}",
            $"/api/priorities/{priority}/replay",
            .. Enumerable.Range(1, priorityEvents).Select(v => $"/api/priorities/{priority}?version={v}"),
            $"/api/priorities/{priority}/provenance",
            $"/api/service-redesigns/{redesign}",
            $"/api/decisions/{decision}/provenance",
            $"/api/decisions/{decision}/prov",
        ]);
    }

    [Fact]
    public async Task A_round_of_500_respondents_gives_the_same_results_replay_and_as_of_views()
    {
        var organisation = Stories.NewOrganisation("same");
        var appended = DateTimeOffset.UtcNow.AddSeconds(-1);
        var (round, streams) = FiveHundredRespondents();
        await AppendAsync(organisation, streams);

        await CompareAsync("five-hundred-respondents", organisation, appended, streams.Select(s => s.Id), [.. RoundReads(round, streams.Single(s => s.Id == round).Events.Length)]);
    }

    private static IEnumerable<string> RoundReads(Guid round, int events) =>
    [
        $"/api/rounds/{round}/results",
        $"/api/rounds/{round}/results.csv",
        $"/api/rounds/{round}/balance",
        $"/api/rounds/{round}/balance.csv",
        $"/api/rounds/{round}/rescoring",
        $"/api/rounds/{round}/rescoring?rule=unweighted",
        $"/api/rounds/{round}/rescoring?onlyGroup=patient",
        $"/api/rounds/{round}/rescoring?withoutGroup=clinician",
        $"/api/rounds/{round}/replay",
        .. Enumerable.Range(1, events).Where(v => v % Math.Max(1, events / 12) == 0 || v == events).Select(v => $"/api/rounds/{round}/results?version={v}"),
    ];

    private async Task AppendAsync(string organisation, IEnumerable<(Guid Id, object[] Events)> streams)
    {
        var store = service.Host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.LightweightSession(organisation);
        session.SetHeader(LearningSystem.Attribution.WhoActed.OrganisationKey, organisation);
        session.SetHeader(LearningSystem.Attribution.WhoActed.ClientKey, "unchanged-results-fixture");
        foreach (var (id, events) in streams)
        {
            session.Events.StartStream(id, events);
        }

        await session.SaveChangesAsync();
    }

    private async Task CompareAsync(string name, string organisation, DateTimeOffset appended, IEnumerable<Guid> streams, IReadOnlyList<string> urls)
    {
        var answers = new JsonObject();
        // Event ids are drawn afresh on every append: each is named by its stream and version instead.
        var names = new Dictionary<string, string> { [organisation] = "the-organisation" };
        foreach (var stream in streams)
        {
            foreach (var e in (await service.Host.GetJsonAsync($"/api/streams/{stream}/events?limit=1000", organisation: organisation)).EnumerateArray())
            {
                names[e.GetProperty("id").GetString()!] = $"event-{stream}-{e.GetProperty("version").GetInt64()}";
            }
        }

        foreach (var url in urls)
        {
            var (text, contentType) = await service.Host.GetTextAsync(url, organisation);
            text = names.Aggregate(text, (t, n) => t.Replace(n.Key, n.Value, StringComparison.Ordinal));
            answers[url.Split('/', 4)[3]] = contentType.Contains("json", StringComparison.Ordinal) ? Normalise(JsonNode.Parse(text), appended) : JsonValue.Create(text);
        }

        var file = Path.Combine(Folder, $"{name}.json");
        var actual = answers.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        if (Writing)
        {
            Directory.CreateDirectory(Folder);
            await File.WriteAllTextAsync(file, actual);
        }

        var expected = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
        foreach (var (url, written) in expected)
        {
            Assert.True(answers.ContainsKey(url), $"{url} was not read");
            var answer = await ObjectionsMovedAsync(urls.Single(u => u.Split('/', 4)[3] == url), written!.DeepClone(), organisation, appended, names);
            var now = answers[url]!.ToJsonString();
            Assert.True(JsonNode.DeepEquals(answer, answers[url]), $"{url} changed:\nexpected {answer!.ToJsonString()}\nactual   {now}");
        }

        Assert.Equal(expected.Count, answers.Count);
    }

    /// <summary>
    /// The second intended change: a negotiation's objections moved out of the view into documents of their
    /// own, and the view keeps their count. Each list written before is compared, objection by objection, with
    /// <c>/objections</c> read at the same version; a replay's steps keep the count.
    /// </summary>
    private async Task<JsonNode> ObjectionsMovedAsync(string url, JsonNode answer, string organisation, DateTimeOffset appended, Dictionary<string, string> names)
    {
        if (answer is JsonObject { } view && view["negotiation"] is JsonObject { } top && top["objections"] is JsonArray written)
        {
            var parts = url.Split('?', 2);
            var (text, _) = await service.Host.GetTextAsync($"{parts[0]}/objections{(parts.Length > 1 ? $"?{parts[1]}" : "")}", organisation);
            text = names.Aggregate(text, (t, n) => t.Replace(n.Key, n.Value, StringComparison.Ordinal));
            var listed = Normalise(JsonNode.Parse(text), appended)!.AsArray();
            foreach (var objection in listed.Select(o => o!.AsObject()))
            {
                Assert.Equal(url.Split('/')[3].Split('?')[0], objection["proposalId"]!.GetValue<string>());
                objection.Remove("proposalId");
                objection.Remove("version");
            }

            Assert.True(JsonNode.DeepEquals(written, listed), $"{url} objections changed:\nexpected {written.ToJsonString()}\nactual   {listed.ToJsonString()}");
        }

        CountObjections(answer);
        return Normalise(answer, appended)!;
    }

    private static void CountObjections(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["objections"] is JsonArray objections && o.ContainsKey("wordings"))
                {
                    o.Remove("objections");
                    o["objectionsRaised"] = objections.Count;
                }

                foreach (var (_, value) in o.ToArray())
                {
                    CountObjections(value);
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    CountObjections(item);
                }

                break;
        }
    }

    /// <summary>
    /// Blanks what the store stamps differently on every run (any time from <paramref name="appended"/> on), and
    /// shows an old endorser list as its count.
    /// </summary>
    private static JsonNode? Normalise(JsonNode? node, DateTimeOffset appended)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToArray())
                {
                    if (key == "endorsedBy" && o[key] is JsonArray endorsers)
                    {
                        o.Remove(key);
                        o["endorsements"] = endorsers.Count;
                    }
                    else if (Varying.Contains(key) || (o[key] is JsonValue v && v.TryGetValue<string>(out var text)
                             && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var time) && time >= appended))
                    {
                        o[key] = "…";
                    }
                    else
                    {
                        Normalise(o[key], appended);
                    }
                }

                // Keys in a fixed order, so a moved property is not a change.
                var sorted = o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, Value: p.Value?.DeepClone())).ToArray();
                o.Clear();
                foreach (var (key, value) in sorted)
                {
                    o[key] = value;
                }

                return o;
            case JsonArray a:
                foreach (var item in a)
                {
                    Normalise(item, appended);
                }

                return a;
            default:
                return node;
        }
    }

    private static readonly HashSet<string> Varying =
    [
        "timestamp", "sequence", "correlationId", "causationId", "hash", "link", "previous", "recordedAt", "eventId", "ls:eventId",
        "prov:startTime", "prov:endTime", "prov:time", "ls:sequence", "ls:link", "ls:hash", "ls:chainLink",
    ];

    private sealed record StoredEvent(Guid StreamId, long Version, string Type, string DotnetType, string Data);

    /// <summary>
    /// A fixed round: 24 priorities, 500 respondents in five groups (60 of them correcting their ranking),
    /// a priority withdrawn and one merged during the survey, a shortlist, two workshop sessions, published.
    /// </summary>
    private static (Guid Round, (Guid Id, object[] Events)[] Streams) FiveHundredRespondents()
    {
        var random = new Random(500);
        Guid Next()
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            return new Guid(bytes);
        }

        var at = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        DateTimeOffset Tick() => at = at.AddSeconds(37);
        var round = Next();
        var manager = Next();
        StakeholderGroup[] groups = [StakeholderGroup.Patient, StakeholderGroup.Carer, StakeholderGroup.Clinician, StakeholderGroup.Nurse, StakeholderGroup.Manager];
        var priorities = Enumerable.Range(0, 24).Select(_ => Next()).ToArray();
        var streams = priorities.Select((p, i) => (Id: p, Events: new List<object>
        {
            new PrioritySet(p, $"Priority {i + 1}", "From the survey", manager, StakeholderGroup.Manager, [], [], null, Tick(), round),
        })).ToArray();
        var roundEvents = new List<object>
        {
            new RoundOpened(round, "What should the diabetes service change first?", "Region", [StakeholderGroup.Patient, StakeholderGroup.Clinician], groups, manager, StakeholderGroup.Manager, Tick()),
        };
        roundEvents.AddRange(priorities.Select(p => new PrioritySubmitted(round, p, manager, StakeholderGroup.Manager, Tick())));

        var respondents = Enumerable.Range(0, 500).Select(i => (Id: Next(), Group: groups[i % groups.Length])).ToArray();
        Guid[] Ranking(int take) => priorities.OrderBy(_ => random.Next()).Take(take).ToArray();
        for (var i = 0; i < respondents.Length; i++)
        {
            var (id, group) = respondents[i];
            roundEvents.Add(new InterimRankingSubmitted(round, id, group, Ranking(1 + random.Next(10)), false, Tick()));
            if (i == 200)
            {
                streams[3].Events.Add(new PriorityWithdrawn(priorities[3], manager, StakeholderGroup.Manager, "Covered by another", Tick()));
            }

            if (i == 300)
            {
                streams[5].Events.Add(new PriorityMerged(priorities[5], priorities[6], manager, StakeholderGroup.Manager, "The same question", Tick()));
                streams[6].Events.Add(new PriorityAbsorbed(priorities[6], priorities[5], manager, StakeholderGroup.Manager, "The same question", Tick()));
            }

            if (i % 8 == 7 && i > 20)
            {
                var (corrector, itsGroup) = respondents[random.Next(i)];
                roundEvents.Add(new InterimRankingSubmitted(round, corrector, itsGroup, Ranking(1 + random.Next(10)), true, Tick()));
            }
        }

        var live = priorities.Where((_, i) => i is not (3 or 5)).ToArray();
        var shortlist = live.Take(10).ToArray();
        roundEvents.Add(new ShortlistAgreed(round, shortlist, manager, StakeholderGroup.Manager, Tick()));
        foreach (var session in new[] { 1, 2 })
        {
            foreach (var table in new[] { "table 1", "table 2", "table 3" })
            {
                roundEvents.Add(new WorkshopRankingRecorded(round, session, table, shortlist.OrderBy(_ => random.Next()).ToArray(), false, manager, StakeholderGroup.Manager, Tick()));
            }
        }

        roundEvents.Add(new RoundPublished(round, shortlist.OrderBy(_ => random.Next()).ToArray(), manager, StakeholderGroup.Manager, Tick()));
        return (round, [.. streams.Select(s => (s.Id, s.Events.ToArray())), (round, roundEvents.ToArray())]);
    }
}
