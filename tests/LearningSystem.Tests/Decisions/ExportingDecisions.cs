using System.Text.Json;
using Alba;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Validation;
using JennysStory;
using NJsonSchema;
using Npgsql;
using Task = System.Threading.Tasks.Task;

namespace LearningSystem.Tests.Decisions;

/// <summary>Jenny's decisions, as people read them and as PROV and FHIR tools check them.</summary>
[Collection(ServiceGroup.Name)]
public sealed class ExportingDecisions(ServiceFixture service)
{
    private static readonly Lazy<Task<JsonSchema>> ProvSchema = new(() =>
        JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "Decisions", "prov-json", "prov-json-schema.json")));

    private IAlbaHost Host => service.Host;

    private async Task<(StoryOutcome Outcome, string Organisation, Guid[] Decisions)> StoryAsync()
    {
        var (outcome, organisation) = await service.PlayJennysStoryAsync("decisions");
        var decisions = new List<Guid>();
        foreach (var url in new[] { $"/api/priorities/{outcome.AgreedPriority}", $"/api/service-redesigns/{outcome.Redesign}", $"/api/curriculum-changes/{outcome.CurriculumChange}" })
        {
            decisions.Add((await Host.GetJsonAsync(url, organisation: organisation)).GetProperty("decision").GetProperty("id").GetGuid());
        }

        return (outcome, organisation, [.. decisions]);
    }

    private async Task<string> TextAsync(string url, string organisation, string contentType)
    {
        var (text, type) = await Host.GetTextAsync(url, organisation);
        Assert.Equal(contentType, type);
        return text;
    }

    [Fact]
    public async Task A_decisions_provenance_names_every_act_wording_and_piece_of_evidence()
    {
        var (outcome, organisation, decisions) = await StoryAsync();

        var priority = await Host.GetJsonAsync($"/api/decisions/{decisions[0]}/provenance", organisation: organisation);
        Assert.Equal(("priority", "agreed", outcome.AgreedPriority), (priority.GetProperty("kind").GetString(), priority.GetProperty("outcome").GetString(), priority.GetProperty("proposalId").GetGuid()));
        Assert.Equal(2, priority.GetProperty("wordings").GetArrayLength());
        Assert.Equal(["set", "endorsed", "objectionRaised", "amendmentProposed", "amendmentAccepted", "mergedFrom", "decided"],
            priority.GetProperty("acts").EnumerateArray().Select(a => a.GetProperty("move").GetString()));
        Assert.All(priority.GetProperty("acts").EnumerateArray(), a => Assert.Equal(64, a.GetProperty("link").GetString()!.Length));
        Assert.Equal([outcome.FirstFeedback], priority.GetProperty("feedback").EnumerateArray().Select(f => f.GetProperty("id").GetGuid()));
        Assert.True(priority.GetProperty("chainIntact").GetBoolean());
        // Each objection and amendment the decision answers is joined to the act that raised or proposed it.
        var about = priority.GetProperty("acts").EnumerateArray()
            .Where(a => a.GetProperty("about").ValueKind == JsonValueKind.String)
            .ToLookup(a => a.GetProperty("about").GetGuid(), a => a.GetProperty("move").GetString());
        foreach (var (answers, raisedBy) in new[] { ("answersObjections", "objectionRaised"), ("answersAmendments", "amendmentProposed") })
        {
            Assert.NotEqual(0, priority.GetProperty(answers).GetArrayLength());
            Assert.All(priority.GetProperty(answers).EnumerateArray(), id => Assert.Contains(raisedBy, about[id.GetGuid()]));
        }

        var redesign = await Host.GetJsonAsync($"/api/decisions/{decisions[1]}/provenance", organisation: organisation);
        Assert.Equal(("serviceRedesign", "approved"), (redesign.GetProperty("kind").GetString(), redesign.GetProperty("outcome").GetString()));
        Assert.Equal([(outcome.AgreedPriority, decisions[0])], redesign.GetProperty("priorities").EnumerateArray().Select(p => (p.GetProperty("id").GetGuid(), p.GetProperty("decisionId").GetGuid())));
        Assert.Equal("Dr Reyes", redesign.GetProperty("acts")[1].GetProperty("by").GetProperty("displayName").GetString());

        var text = await TextAsync($"/api/decisions/{decisions[2]}/provenance/text", organisation, "text/plain; charset=utf-8");
        Assert.Contains("curriculumChange \"MBBS Year 3, Clinical Communication\"", text, StringComparison.Ordinal);
        Assert.Contains("accepted by Dr Lim (educator)", text, StringComparison.Ordinal);
        Assert.Contains("The hash chain of this proposal's events verifies.", text, StringComparison.Ordinal);
        await Host.GetJsonAsync($"/api/decisions/{Guid.NewGuid()}/provenance", 404, organisation);
        await Host.GetJsonAsync($"/api/decisions/{decisions[0]}/provenance", 404, "another-trust");
    }

    [Fact]
    public async Task Each_decision_exports_as_prov_json_that_the_w3c_schema_accepts()
    {
        var (_, organisation, decisions) = await StoryAsync();
        var schema = await ProvSchema.Value;

        foreach (var decision in decisions)
        {
            var document = await TextAsync($"/api/decisions/{decision}/prov", organisation, "application/json");

            var errors = schema.Validate(document);
            Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}")));
            using var prov = JsonDocument.Parse(document);
            Assert.Contains(prov.RootElement.GetProperty("wasDerivedFrom").EnumerateObject(), r => r.Value.GetProperty("prov:type").GetProperty("$").GetString() == "prov:Revision");
            Assert.True(prov.RootElement.GetProperty("actedOnBehalfOf").EnumerateObject().Any());
            Assert.True(prov.RootElement.GetProperty("wasAttributedTo").EnumerateObject().Any());
        }

        // The check can fail: the schema refuses what it should.
        Assert.NotEmpty(schema.Validate("""{"entity": {"ls:x": {}}, "wasEndedBy": {"_:e": {"prov:activity": "ls:a"}}}"""));
    }

    [Fact]
    public async Task Each_decision_exports_as_a_fhir_r4_bundle_that_firely_parses_and_validates()
    {
        var (outcome, organisation, decisions) = await StoryAsync();
        var deserializer = new FhirJsonDeserializer(new DeserializerSettings().UsingMode(DeserializationMode.Strict));

        foreach (var decision in decisions)
        {
            var json = await TextAsync($"/api/decisions/{decision}/fhir", organisation, "application/fhir+json");

            var bundle = deserializer.Deserialize<Bundle>(json)!;
            var issues = bundle.Validate(Hl7.Fhir.Model.ModelInfo.ModelInspector, validateRecursively: true).ToArray();
            Assert.True(issues.Length == 0, string.Join("; ", issues.Select(i => i.Message)));
            Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
            var provenances = bundle.Entry.Select(e => e.Resource).OfType<Provenance>().ToArray();
            var audits = bundle.Entry.Select(e => e.Resource).OfType<AuditEvent>().ToArray();
            Assert.Equal(provenances.Length - 1, audits.Length);
            Assert.Equal(decision.ToString(), provenances[0].Target.Single().Identifier!.Value);
            Assert.All(audits, a => Assert.NotNull(a.Source.Observer));
        }

        var priorityBundle = deserializer.Deserialize<Bundle>(await TextAsync($"/api/decisions/{decisions[0]}/fhir", organisation, "application/fhir+json"))!;
        var decided = priorityBundle.Entry.Select(e => e.Resource).OfType<Provenance>().First();
        Assert.Contains(decided.Entity, e => e.What.Identifier!.Value == outcome.FirstFeedback.ToString());
        Assert.Equal(6, decided.Agent.Count);

        // The check can fail: a Provenance without its required target is refused.
        Assert.Throws<DeserializationFailedException>(() => deserializer.Deserialize<Bundle>(
            """{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Provenance","recorded":"2026-11-20T10:00:00Z","agent":[{"who":{"display":"x"}}]}}]}"""));
    }

    [Fact]
    public async Task A_tampered_decision_says_so()
    {
        var (outcome, organisation, decisions) = await StoryAsync();
        Assert.Equal(1, await LearningSystem.Tests.Audit.Tampering.ExecuteAsync(service.ConnectionString,
            "update learningsystem.mt_events set data = jsonb_set(data, '{reason}', '\"nothing\"') where tenant_id = @tenant and stream_id = @stream and type = 'objection_raised'",
            ("tenant", organisation), ("stream", outcome.AgreedPriority)));

        Assert.False((await Host.GetJsonAsync($"/api/decisions/{decisions[0]}/provenance", organisation: organisation)).GetProperty("chainIntact").GetBoolean());
        Assert.Contains("WARNING", await TextAsync($"/api/decisions/{decisions[0]}/provenance/text", organisation, "text/plain; charset=utf-8"), StringComparison.Ordinal);
    }
}
