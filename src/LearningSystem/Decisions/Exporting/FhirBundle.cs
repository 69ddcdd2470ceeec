using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LearningSystem.Decisions.Reading;
using LearningSystem.Hosting;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using LearningSystem.Priorities.Reading;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.Decisions.Exporting;

/// <summary>
/// A decision's provenance as an HL7 FHIR R4 Bundle (a collection): one Provenance for the decision, naming its
/// evidence, and a Provenance and an AuditEvent for every act that led to it. Our items are not FHIR resources,
/// so references name them by identifier in the <c>urn:learningsystem:</c> systems.
/// </summary>
public static class FhirBundle
{
    public const string MediaType = "application/fhir+json";
    private const string System = "urn:learningsystem:";

    [WolverineGet("/api/decisions/{id}/fhir", OperationId = "getDecisionFhir"), Tags("Decisions")]
    [Produces(MediaType)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> Get(Guid id, IQuerySession session, PersonalDataVault vault, LearningSystem.Audit.Verifying.ChainVerifier verifier, TimeProvider clock, CancellationToken ct) =>
        await DecisionProvenanceEndpoint.ViewAsync(id, session, vault, verifier, ct) is { } view
            ? Results.Text(Of(view, clock.GetUtcNow()).ToJsonString(), MediaType)
            : Results.NotFound();

    public static JsonObject Of(DecisionProvenanceView v, DateTimeOffset now)
    {
        var entries = new JsonArray
        {
            Entry($"decision:{v.Id}", new JsonObject
            {
                ["resourceType"] = "Provenance",
                ["target"] = new JsonArray(Identified("decision", v.Id.ToString(), $"{v.Kind} \"{v.Title}\" {v.Outcome}")),
                ["occurredDateTime"] = Instant(v.At),
                ["recorded"] = Instant(v.At),
                ["reason"] = new JsonArray(new JsonObject { ["text"] = v.Rationale }),
                ["activity"] = Coded("http://terminology.hl7.org/CodeSystem/v3-DataOperation", "CREATE", "decided"),
                ["agent"] = new JsonArray([
                    Agent(v.DecidedBy, "author", v.Organisation),
                    .. v.DecisionMakers.Select(m => Agent(m, "attester", v.Organisation)),
                ]),
                ["entity"] = new JsonArray([
                    .. v.Wordings.TakeLast(1).Select(w => Entity("source", "wording", $"{v.ProposalId}/{w.Number}", w.Text)),
                    .. v.Feedback.Select(f => Entity("source", "patient-feedback", f.Id.ToString(), $"{WireValues<LearningSystem.Feedback.FeedbackRating>.Name(f.Rating)} feedback on {f.Service}")),
                    .. v.Priorities.Select(p => Entity("derivation", "priority", p.Id.ToString(), p.Statement)),
                ]),
            }),
        };

        foreach (var act in v.Acts)
        {
            var target = Identified("proposal", $"{v.ProposalId}/_history/{act.Version}", $"{v.Kind} at version {act.Version}");
            var provenance = new JsonObject
            {
                ["resourceType"] = "Provenance",
                ["target"] = new JsonArray(target),
                ["occurredDateTime"] = Instant(act.At),
                ["recorded"] = Instant(act.At),
                ["activity"] = Coded("http://terminology.hl7.org/CodeSystem/v3-DataOperation", act.Version == 1 ? "CREATE" : "UPDATE", act.Move),
                ["agent"] = new JsonArray(Agent(act.By, "author", v.Organisation)),
            };
            if (act.Reason is not null)
            {
                provenance["reason"] = new JsonArray(new JsonObject { ["text"] = act.Reason });
            }

            if (act.Version > 1)
            {
                provenance["entity"] = new JsonArray(Entity("revision", "proposal", $"{v.ProposalId}/_history/{act.Version - 1}", null));
            }

            entries.Add(Entry($"provenance:{act.EventId}", provenance));
            entries.Add(Entry($"audit:{act.EventId}", new JsonObject
            {
                ["resourceType"] = "AuditEvent",
                ["type"] = new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/audit-event-type", ["code"] = "rest", ["display"] = "RESTful Operation" },
                ["subtype"] = new JsonArray(new JsonObject { ["system"] = $"{System}event-type", ["code"] = act.Type }),
                ["action"] = act.Version == 1 ? "C" : "U",
                ["recorded"] = Instant(act.At),
                ["outcome"] = "0",
                ["agent"] = new JsonArray(new JsonObject
                {
                    ["role"] = new JsonArray(Group(act.By.StakeholderGroup)),
                    ["who"] = Identified("participant", act.By.Id.ToString(), act.By.DisplayName),
                    ["requestor"] = true,
                }),
                ["source"] = new JsonObject
                {
                    ["site"] = v.Organisation,
                    ["observer"] = new JsonObject { ["display"] = "LearningSystem" },
                    ["type"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/security-source-type", ["code"] = "4", ["display"] = "Application Server" }),
                },
                ["entity"] = new JsonArray(new JsonObject
                {
                    ["what"] = target.DeepClone(),
                    ["detail"] = new JsonArray(
                        new JsonObject { ["type"] = "sequence", ["valueString"] = act.Sequence.ToString(CultureInfo.InvariantCulture) },
                        new JsonObject { ["type"] = "chainLink", ["valueString"] = act.Link ?? "none" }),
                }),
            }));
        }

        return new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["identifier"] = new JsonObject { ["system"] = $"{System}decision", ["value"] = v.Id.ToString() },
            ["type"] = "collection",
            ["timestamp"] = Instant(now),
            ["entry"] = entries,
        };
    }

    private static JsonObject Entry(string name, JsonObject resource) => new()
    {
        ["fullUrl"] = $"urn:uuid:{new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(name))[..16])}",
        ["resource"] = resource,
    };

    private static JsonObject Identified(string kind, string value, string? display)
    {
        var reference = new JsonObject { ["identifier"] = new JsonObject { ["system"] = $"{System}{kind}", ["value"] = value } };
        if (display is not null)
        {
            reference["display"] = display;
        }

        return reference;
    }

    private static JsonObject Coded(string system, string code, string text) =>
        new() { ["coding"] = new JsonArray(new JsonObject { ["system"] = system, ["code"] = code }), ["text"] = text };

    private static JsonObject Group(StakeholderGroup group) =>
        new() { ["coding"] = new JsonArray(new JsonObject { ["system"] = $"{System}stakeholder-group", ["code"] = WireValues<StakeholderGroup>.Name(group) }) };

    private static JsonObject Agent(PersonAtTheTime person, string type, string organisation) => new()
    {
        ["type"] = Coded("http://terminology.hl7.org/CodeSystem/provenance-participant-type", type, type),
        ["role"] = new JsonArray(Group(person.StakeholderGroup)),
        ["who"] = Identified("participant", person.Id.ToString(), person.DisplayName),
        ["onBehalfOf"] = Identified("organisation", organisation, organisation),
    };

    private static JsonObject Entity(string role, string kind, string value, string? display) =>
        new() { ["role"] = role, ["what"] = Identified(kind, value, display) };

    private static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
