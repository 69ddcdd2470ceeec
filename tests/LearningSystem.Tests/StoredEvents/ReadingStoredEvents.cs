using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using LearningSystem.Http;

namespace LearningSystem.Tests.StoredEvents;

/// <summary>
/// Stored events are a contract: they are read back for ever. <c>jennys-story.ndjson</c> holds every event of
/// Jenny's story exactly as PostgreSQL stored it when the fixture was made (type, .NET type and data), one
/// line per event, and <c>other-events.ndjson</c> one stored event of each type the story does not make (as
/// the <c>.http</c> samples made them); today's code must still read each of them, and Jenny's story must
/// still build the same views and provenance.
/// A change that breaks this needs an upcaster or a new event type (docs/design.md, "Stored events").
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed class ReadingStoredEvents(ServiceFixture service)
{
    private sealed record Stored(Guid StreamId, long Version, string Type, string DotnetType, string Data);

    private static readonly string Folder = Path.Combine(Repository.Root, "tests", "LearningSystem.Tests", "StoredEvents");

    private static Stored[] Fixture(string file = "jennys-story.ndjson") =>
    [
        .. File.ReadAllLines(Path.Combine(Folder, file)).Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<Stored>(l, JsonSerializerOptions.Web)!),
    ];

    /// <summary>Marten's alias of each of our types: the stored <c>type</c> names the class it is read as.</summary>
    private static readonly Dictionary<string, Type> Types = typeof(WireJson).Assembly.GetTypes()
        .Where(t => t.Namespace?.StartsWith("LearningSystem", StringComparison.Ordinal) == true && t is { IsClass: true, IsAbstract: false })
        .GroupBy(t => WireJson.Alias(t.Name)).ToDictionary(g => g.Key, g => g.First());

    private object Read(Stored e)
    {
        Assert.True(Types.TryGetValue(e.Type, out var type), $"no type reads stored '{e.Type}'");
        var serializer = service.Host.Services.GetRequiredService<IDocumentStore>().Options.Serializer();
        var data = serializer.FromJson(type, new MemoryStream(Encoding.UTF8.GetBytes(e.Data)));
        Assert.IsType(type, data);
        return data;
    }

    [Fact]
    public async Task Every_stored_event_of_the_fixture_still_reads_and_the_story_still_makes_no_type_it_lacks()
    {
        Stored[] fixture = [.. Fixture(), .. Fixture("other-events.ndjson")];
        Assert.All(fixture, e => Read(e));

        // Every event type the store knows has its stored form kept, except Marten's own markers: archiving,
        // which the append-only events table refuses, and the tombstone it writes in place of a failed append.
        var known = service.Host.Services.GetRequiredService<IDocumentStore>().Options.Events.AllKnownEventTypes()
            .Select(t => t.EventTypeName).Where(t => t is not ("archived" or "tombstone")).ToHashSet();
        var missing = known.Except(fixture.Select(e => e.Type)).Order().ToArray();
        Assert.True(missing.Length == 0, $"No stored form is kept for: {string.Join(", ", missing)}");

        // Jenny's story today makes no event type the fixture lacks: a new type needs its stored form kept here.
        var (_, organisation) = await service.PlayJennysStoryAsync("stored");
        var (export, _) = await service.Host.GetTextAsync("/api/audit/export", organisation);
        var today = export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("kind").GetString() == "event").Select(l => l.GetProperty("type").GetString()!).ToHashSet();
        Assert.Subset(fixture.Select(e => e.Type).ToHashSet(), today);
    }

    [Fact]
    public async Task The_stored_story_builds_todays_views_and_provenance()
    {
        var organisation = Stories.NewOrganisation("stored");
        var store = service.Host.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession(organisation))
        {
            // Appended as a migration would be: by a named client, not by a participant.
            session.SetHeader(LearningSystem.Attribution.WhoActed.OrganisationKey, organisation);
            session.SetHeader(LearningSystem.Attribution.WhoActed.ClientKey, "stored-events-fixture");
            foreach (var stream in Fixture().GroupBy(e => e.StreamId))
            {
                session.Events.StartStream(stream.Key, [.. stream.OrderBy(e => e.Version).Select(Read)]);
            }

            await session.SaveChangesAsync();
        }

        using var ids = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, "jennys-story.outcome.json")));
        Guid Id(string name) => ids.RootElement.GetProperty(name).GetGuid();

        var priority = await service.Host.GetJsonAsync($"/api/priorities/{Id("agreedPriority")}", organisation: organisation);
        Assert.Equal("agreed", priority.GetProperty("decision").GetProperty("outcome").GetString());
        var provenance = await service.Host.GetJsonAsync($"/api/decisions/{priority.GetProperty("decision").GetProperty("id").GetGuid()}/provenance", organisation: organisation);
        Assert.Equal(["set", "endorsed", "objectionRaised", "amendmentProposed", "amendmentAccepted", "mergedFrom", "decided"],
            provenance.GetProperty("acts").EnumerateArray().Select(a => a.GetProperty("move").GetString()));
        Assert.Equal(2, provenance.GetProperty("wordings").GetArrayLength());
        Assert.True(provenance.GetProperty("chainIntact").GetBoolean());

        var redesign = await service.Host.GetJsonAsync($"/api/service-redesigns/{Id("redesign")}", organisation: organisation);
        Assert.Equal("approved", redesign.GetProperty("decision").GetProperty("outcome").GetString());
        var results = await service.Host.GetJsonAsync($"/api/rounds/{Id("round")}/results", organisation: organisation);
        Assert.NotEqual(0, results.GetProperty("published").GetArrayLength());
        var lineage = await service.Host.GetJsonAsync($"/api/lineage/{Id("firstFeedback")}", organisation: organisation);
        Assert.NotEqual(JsonValueKind.Undefined, lineage.ValueKind);
    }
}
