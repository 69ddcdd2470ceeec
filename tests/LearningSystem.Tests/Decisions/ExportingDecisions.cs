using System.Text.Json;
using Alba;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Validation;
using JennysStory;
using LearningSystem.Decisions.Reading;
using Microsoft.Extensions.DependencyInjection;
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
    public async Task An_auditor_rebuilds_each_negotiation_from_its_prov_json_alone()
    {
        var (outcome, organisation, decisions) = await StoryAsync();
        var json = Host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;

        foreach (var decision in decisions)
        {
            using var prov = JsonDocument.Parse(await TextAsync($"/api/decisions/{decision}/prov", organisation, "application/json"));
            var view = JsonSerializer.Deserialize<DecisionProvenanceView>(
                (await Host.GetJsonAsync($"/api/decisions/{decision}/provenance", organisation: organisation)).GetRawText(), json)!;

            var rebuilt = ProvReader.Rebuild(prov.RootElement);

            Assert.Equal(JsonSerializer.Serialize(view, json), JsonSerializer.Serialize(rebuilt, json));
        }

        // The negotiation's parts are entities: objections and amendments with their wording, used by the act that answered them.
        using var priority = JsonDocument.Parse(await TextAsync($"/api/decisions/{decisions[0]}/prov", organisation, "application/json"));
        var types = priority.RootElement.GetProperty("entity").EnumerateObject().Select(e => e.Value.GetProperty("prov:type").GetProperty("$").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "ls:priority", "ls:Objection", "ls:Amendment", "ls:Wording", "ls:PatientFeedback", "ls:Decision" }, types);
        var used = priority.RootElement.GetProperty("used").EnumerateObject().Select(u => u.Value).ToArray();
        Assert.Contains(used, u => u.GetProperty("prov:entity").GetString() == $"ls:feedback-{outcome.FirstFeedback}"
            && priority.RootElement.GetProperty("activity").GetProperty(u.GetProperty("prov:activity").GetString()!).GetProperty("prov:type").GetProperty("$").GetString() == "ls:set");
    }

    [Fact]
    public async Task Each_decision_exports_as_a_fhir_r4_bundle_that_firelys_validator_accepts_without_a_warning()
    {
        var (outcome, organisation, decisions) = await StoryAsync();
        var deserializer = new FhirJsonDeserializer(new DeserializerSettings().UsingMode(DeserializationMode.Strict));
        var validator = Fhir.Validator.Value;

        foreach (var decision in decisions)
        {
            var json = await TextAsync($"/api/decisions/{decision}/fhir", organisation, "application/fhir+json");

            var bundle = deserializer.Deserialize<Bundle>(json)!;
            var issues = Fhir.Problems(validator.Validate(bundle));
            Assert.True(issues.Length == 0, string.Join("\n", issues));
            Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
            var entries = bundle.Entry.ToDictionary(e => e.FullUrl!, e => e.Resource);
            var provenances = bundle.Entry.Select(e => e.Resource).OfType<Provenance>().ToArray();
            var audits = bundle.Entry.Select(e => e.Resource).OfType<AuditEvent>().ToArray();
            Assert.Equal(provenances.Length - 1, audits.Length);
            Assert.Equal(decision.ToString(), provenances[0].Target.Single().Identifier!.Value);

            // Every reference inside the Bundle is literal and resolves to an entry: agents are resources.
            var whos = provenances.SelectMany(p => p.Agent).SelectMany(a => new[] { a.Who, a.OnBehalfOf })
                .Concat(audits.SelectMany(a => a.Agent).Select(a => a.Who)).ToArray();
            Assert.All(whos, who => Assert.Contains(who!.Reference!, entries.Keys));
            Assert.All(whos.Select(w => entries[w!.Reference!]), r => Assert.IsNotType<Provenance>(r));
            // The decision's Provenance points at each act's, and each AuditEvent at its act's Provenance.
            var acts = provenances[0].Entity.Where(e => e.What.Reference is not null).Select(e => entries[e.What.Reference!]).ToArray();
            Assert.Equal(provenances[1..], acts);
            Assert.All(audits, a => Assert.IsType<Provenance>(entries[a.Entity.Single().What!.Reference!]));
            // A patient is known by a pseudonymous identifier, never by name.
            var patients = entries.Values.OfType<Patient>().ToArray();
            Assert.All(patients, p => Assert.Equal(("urn:learningsystem:participant", 1, 0), (p.Identifier.Single().System, p.Identifier.Count, p.Name.Count)));
            Assert.DoesNotContain("Mr Okafor", json, StringComparison.Ordinal);
            // Every code of ours is defined, with its display, by a code system the Bundle carries.
            var defined = entries.Values.OfType<CodeSystem>().SelectMany(c => c.Concept.Select(k => (c.Url, k.Code, k.Display))).ToHashSet();
            using var document = JsonDocument.Parse(json);
            var ours = Codings(document.RootElement).Where(c => c.System.StartsWith("urn:learningsystem:", StringComparison.Ordinal)).ToArray();
            Assert.NotEmpty(ours);
            Assert.All(ours, c => Assert.Contains(c, defined));
        }

        var priorityBundle = deserializer.Deserialize<Bundle>(await TextAsync($"/api/decisions/{decisions[0]}/fhir", organisation, "application/fhir+json"))!;
        var decided = priorityBundle.Entry.Select(e => e.Resource).OfType<Provenance>().First();
        Assert.Contains(decided.Entity, e => e.What.Identifier?.Value == outcome.FirstFeedback.ToString());
        Assert.Equal(6, decided.Agent.Count);
        Assert.NotEmpty(priorityBundle.Entry.Select(e => e.Resource).OfType<Patient>());

        // The check can fail: the validator reports a Provenance without its required target, and an unknown action code.
        var broken = deserializer.Deserialize<Bundle>(await TextAsync($"/api/decisions/{decisions[0]}/fhir", organisation, "application/fhir+json"))!;
        broken.Entry.Select(e => e.Resource).OfType<Provenance>().First().Target.Clear();
        Assert.NotEmpty(Fhir.Problems(validator.Validate(broken)));
    }

    [Fact]
    public void The_code_systems_in_docs_are_the_ones_the_bundles_carry()
    {
        foreach (var codeSystem in LearningSystem.Decisions.Exporting.FhirBundle.CodeSystems())
        {
            var file = Path.Combine(Repository.Root, "docs", "fhir", $"CodeSystem-{codeSystem.Url!.Split(':')[^1]}.json");
            Assert.True(File.Exists(file), $"{file} is missing; write it from FhirBundle.CodeSystems().");
            Assert.Equal(codeSystem.ToJson(pretty: true), File.ReadAllText(file).TrimEnd());
        }
    }

    private static IEnumerable<(string System, string Code, string? Display)> Codings(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            if (element.TryGetProperty("system", out var system) && element.TryGetProperty("code", out var code))
            {
                yield return (system.GetString()!, code.GetString()!, element.TryGetProperty("display", out var display) ? display.GetString() : null);
            }

            foreach (var child in element.EnumerateObject().SelectMany(p => Codings(p.Value)))
            {
                yield return child;
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var child in element.EnumerateArray().SelectMany(Codings))
            {
                yield return child;
            }
        }
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
