using Alba;
using JennysStory;
using Newtonsoft.Json.Linq;
using Snapshooter.Xunit;

namespace LearningSystem.Tests.Samples;

/// <summary>The sample in samples/JennysStory runs against the real service; its end state and views are checked here.</summary>
[Collection(ServiceGroup.Name)]
public sealed class JennysStorySample(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    private async Task<(StoryOutcome Outcome, string Narration)> PlayAsync(string? organisation = null)
    {
        service.Clock.Now = TestClock.Start;
        using var client = service.ClientFor("tests", organisation);

        using var narration = new StringWriter();
        var outcome = await Story.PlayAsync(client, narration);
        return (outcome, narration.ToString());
    }

    [Fact]
    public async Task Jennys_story_ends_with_an_agreed_priority_and_a_published_list()
    {
        var (outcome, narration) = await PlayAsync();

        var agreed = await Host.GetJsonAsync($"/api/priorities/{outcome.AgreedPriority}");
        Assert.Equal("decided", agreed.GetProperty("status").GetString());
        Assert.Equal("Tell patients, on arrival and by text, how long they will wait", agreed.GetProperty("statement").GetString());
        Assert.Equal([outcome.MergedPriority], agreed.GetProperty("mergedFrom").EnumerateArray().Select(x => x.GetGuid()));
        Assert.Equal("merged", (await Host.GetJsonAsync($"/api/priorities/{outcome.MergedPriority}")).GetProperty("status").GetString());

        var results = await Host.GetJsonAsync($"/api/rounds/{outcome.Round}/results");
        Assert.Equal("published", results.GetProperty("stage").GetString());
        Assert.Equal(3, results.GetProperty("published").GetArrayLength());
        Assert.Equal(outcome.AgreedPriority, results.GetProperty("published")[0].GetProperty("priority").GetGuid());

        var inRound = await Host.GetJsonAsync($"/api/priorities?roundId={outcome.Round}&setByGroup=patient");
        Assert.Equal([outcome.MergedPriority], inRound.EnumerateArray().Select(p => p.GetProperty("id").GetGuid()));
        Assert.Equal(2, (await Host.GetJsonAsync($"/api/service-redesigns/{outcome.Redesign}")).GetProperty("evidence").GetArrayLength());
        Assert.Contains("published the list", narration, StringComparison.Ordinal);

        var redesign = await Host.GetJsonAsync($"/api/service-redesigns/{outcome.Redesign}");
        Assert.Equal([outcome.AgreedPriority], redesign.GetProperty("decision").GetProperty("basedOnPriorities").EnumerateArray().Select(p => p.GetGuid()));
        Assert.Equal(35m, redesign.GetProperty("outcomes")[0].GetProperty("value").GetDecimal());
        Assert.Single(redesign.GetProperty("evaluations").EnumerateArray());
        var lessons = await Host.GetJsonAsync($"/api/lessons?about={outcome.Redesign}");
        Assert.Equal(outcome.Lessons[0], Assert.Single(lessons.EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Contains(outcome.NewFeedback, lessons[0].GetProperty("evidence").EnumerateArray().Select(e => e.GetGuid()));
        var loops = await Host.GetJsonAsync("/api/open-loops");
        foreach (var list in new[] { "decisionsWithoutImplementation", "implementationsWithoutOutcome", "outcomesWithoutEvaluation" })
        {
            Assert.DoesNotContain(outcome.Redesign, loops.GetProperty(list).EnumerateArray().Select(r => r.GetProperty("id").GetGuid()));
        }
        await Host.GetJsonAsync($"/api/rounds/{outcome.Round}/timeline", 404, organisation: "another-trust");
    }

    [Fact]
    public async Task The_redesign_and_the_curriculum_change_are_negotiated_like_priorities_then_decided_and_carried_out()
    {
        var (outcome, narration) = await PlayAsync();

        var redesign = await Host.GetJsonAsync($"/api/service-redesigns/{outcome.Redesign}");
        var negotiation = redesign.GetProperty("negotiation");
        Assert.EndsWith("say only how long, never why.", redesign.GetProperty("proposedChange").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, negotiation.GetProperty("wordings").GetArrayLength());
        Assert.Equal(1, negotiation.GetProperty("objectionsRaised").GetInt32());
        var objection = Assert.Single((await Host.GetJsonAsync($"/api/service-redesigns/{outcome.Redesign}/objections")).EnumerateArray());
        Assert.Equal((false, true), (objection.GetProperty("open").GetBoolean(), objection.GetProperty("answered").GetBoolean()));
        Assert.Equal(outcome.People["reyes"], objection.GetProperty("by").GetGuid());

        var change = await Host.GetJsonAsync($"/api/curriculum-changes/{outcome.CurriculumChange}");
        Assert.StartsWith("Explain a delay to a waiting patient honestly", change.GetProperty("learningOutcome").GetString(), StringComparison.Ordinal);
        Assert.Equal("approved", change.GetProperty("decision").GetProperty("outcome").GetString());
        Assert.Equal([outcome.AgreedPriority], change.GetProperty("decision").GetProperty("basedOnPriorities").EnumerateArray().Select(p => p.GetGuid()));
        Assert.Equal(["patientEducator", "patientEducator", "peerStudent", "otherProfession", "educator"],
            change.GetProperty("coDesigners").EnumerateArray().Select(d => d.GetProperty("role").GetString()));
        var session = Assert.Single(change.GetProperty("sessions").EnumerateArray());
        Assert.Equal(outcome.TeachingSession, session.GetProperty("id").GetGuid());
        Assert.Contains("patient", session.GetProperty("teachers").EnumerateArray().Select(t => t.GetProperty("group").GetString()));

        // Everyone is both learner and teacher; their words are read back in clear while they are not erased.
        var reflections = await Host.GetJsonAsync($"/api/curriculum-changes/{outcome.CurriculumChange}/reflections?sessionId={outcome.TeachingSession}");
        Assert.Equal(outcome.Reflections, reflections.EnumerateArray().Select(r => r.GetProperty("id").GetGuid()));
        Assert.All(reflections.EnumerateArray(), r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("taught").GetString())));
        Assert.Contains(reflections.EnumerateArray(), r => r.GetProperty("learned").GetString()!.Contains("I don't know how long", StringComparison.Ordinal));

        var courseLessons = await Host.GetJsonAsync($"/api/lessons?course={Uri.EscapeDataString("MBBS Year 3")}&about={outcome.CurriculumChange}");
        Assert.Equal(outcome.Lessons[2], Assert.Single(courseLessons.EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Contains("co-taught the communication session", narration, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_open_loops_after_the_story_match_their_snapshot()
    {
        // A fresh organisation of its own, so that other scenarios' feedback and redesigns stay out of the view.
        var organisation = $"jennys-trust-{Guid.NewGuid():N}";
        var (outcome, _) = await PlayAsync(organisation);
        var names = new Dictionary<Guid, string> { [outcome.FirstFeedback] = "<waited two hours>", [outcome.NewFeedback] = "<got a text>" };

        var loops = (JObject)await ReadAsync("/api/open-loops?days=0", names, organisation: organisation);

        Assert.Equal(2, ((JArray)loops["feedbackWithoutResponse"]!).Count);
        Assert.Empty((JArray)loops["curriculumChangesWithoutTeaching"]!);
        foreach (var item in loops["feedbackWithoutResponse"]!)
        {
            item["id"] = item["id"]!.Value<string>()!.StartsWith('<') ? item["id"] : "<rushed appointment>";
        }

        Snapshot.Match(loops, "jennys-story-open-loops");
    }

    [Fact]
    public async Task The_storys_views_match_their_snapshots()
    {
        var (outcome, _) = await PlayAsync();
        var names = new Dictionary<Guid, string> { [outcome.Round] = "<round>", [outcome.Redesign] = "<redesign>" };
        foreach (var (name, id) in outcome.People)
        {
            names[id] = $"<{name}>";
        }

        foreach (var (id, name) in outcome.Priorities.Zip(["<tell patients>", "<text patients>", "<appointment length>", "<triage>"]))
        {
            names[id] = name;
        }

        Snapshot.Match(await ReadAsync($"/api/rounds/{outcome.Round}/results", names), "jennys-story-round-results");
        Snapshot.Match(await ReadAsync($"/api/rounds/{outcome.Round}/balance", names), "jennys-story-round-balance");
        Snapshot.Match(await ReadAsync($"/api/priorities/{outcome.AgreedPriority}/provenance", names, ignoreIdsOf: ["subject", "answersObjections", "answersAmendments", "amendment", "feedback"]),
            "jennys-story-priority-provenance");

        var timeline = (JArray)await ReadAsync($"/api/rounds/{outcome.Round}/timeline", names);
        Assert.Equal("round_opened", timeline[0]["type"]!.Value<string>());
        Assert.Equal("round_published", timeline.Last()["type"]!.Value<string>());
        var sequences = timeline.Select(e => e["sequence"]!.Value<long>()).ToArray();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Contains(timeline, e => e["type"]!.Value<string>() == "amendment_accepted" && e["streamId"]!.Value<string>() == "<tell patients>");
        Snapshot.Match(
            new JArray(timeline.Select(e => new JObject { ["type"] = e["type"], ["stream"] = e["streamId"], ["by"] = e["actingParticipant"] })),
            "jennys-story-round-timeline");
    }

    [Fact]
    public async Task The_lineage_of_the_first_feedback_reaches_the_lessons_and_the_new_feedback()
    {
        var (outcome, _) = await PlayAsync();

        var lineage = await Host.GetJsonAsync($"/api/lineage/{outcome.FirstFeedback}");

        var nodes = lineage.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("id").GetString()!, n => n);
        foreach (var expected in new[] { outcome.AgreedPriority, outcome.Redesign, outcome.NewFeedback, outcome.Lessons[0], outcome.Lessons[1] })
        {
            Assert.True(nodes.ContainsKey(expected.ToString()), $"{expected} should be in the lineage");
        }

        var kinds = nodes.Values.Select(n => n.GetProperty("kind").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "feedback", "priority", "redesign", "decision", "implementation", "outcome", "evaluation", "lesson" }, kinds);
        Assert.Superset(new HashSet<string?> { "curriculumChange", "teachingSession", "reflection" }, kinds);
        Assert.True(nodes.ContainsKey(outcome.CurriculumChange.ToString()));

        // Any item is a starting point: from the new feedback, looking back, the same loop appears.
        var fromNewFeedback = (await Host.GetJsonAsync($"/api/lineage/{outcome.NewFeedback}")).GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!);
        Assert.Equal(nodes.Keys.Order(StringComparer.Ordinal), fromNewFeedback.Order(StringComparer.Ordinal));

        // The graph by labels, in a stable order: what the loop connected, not which ids it drew.
        string Label(string id) => $"{nodes[id].GetProperty("kind").GetString()}: {nodes[id].GetProperty("label").GetString()}";
        var shape = new JObject
        {
            ["nodes"] = new JArray(nodes.Keys.Select(Label).Order(StringComparer.Ordinal)),
            ["edges"] = new JArray(lineage.GetProperty("edges").EnumerateArray()
                .Select(e => $"{Label(e.GetProperty("from").GetString()!)} --{e.GetProperty("relation").GetString()}--> {Label(e.GetProperty("to").GetString()!)}")
                .Order(StringComparer.Ordinal)),
        };
        Snapshot.Match(shape, "jennys-story-lineage");
        await Host.GetJsonAsync($"/api/lineage/{Guid.NewGuid()}", 404);
    }

    // Ids made during the story are replaced by names, so that the snapshots hold only what the story decides.
    private async Task<JToken> ReadAsync(string url, Dictionary<Guid, string> names, string[]? ignoreIdsOf = null, string? organisation = null)
    {
        var text = await (await Host.Scenario(s =>
        {
            s.Get.Url(url);
            if (organisation is not null)
            {
                s.WithRequestHeader("X-Organisation", organisation);
            }
        })).ReadAsTextAsync();
        foreach (var (id, name) in names)
        {
            text = text.Replace(id.ToString(), name, StringComparison.Ordinal);
        }

        var json = JToken.Parse(text);
        foreach (var field in ignoreIdsOf ?? [])
        {
            foreach (var token in json.SelectTokens($"$..{field}").OfType<JToken>().ToArray())
            {
                token.Replace(token.Type == JTokenType.Array ? new JArray(token.Select(_ => "<id>")) : token.Type == JTokenType.Null ? token.DeepClone() : "<id>");
            }
        }

        return json;
    }
}
