using System.Globalization;
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
/// A decision's provenance as a W3C PROV-JSON document: wordings, feedback, evidence and the decision are
/// entities; every negotiation move is an activity; participants are agents acting for their organisation.
/// Moves are instantaneous, so they carry <c>prov:startTime</c> and <c>prov:endTime</c> and no end relations
/// (the published schema misspells <c>wasEndedby</c> and refuses the standard spelling).
/// </summary>
public static class ProvDocument
{
    public const string Namespace = "urn:learningsystem:";

    [WolverineGet("/api/decisions/{id}/prov", OperationId = "getDecisionProv"), Tags("Decisions")]
    [Produces("application/json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> Get(Guid id, IQuerySession session, PersonalDataVault vault, LearningSystem.Audit.Verifying.ChainVerifier verifier, CancellationToken ct) =>
        await DecisionProvenanceEndpoint.ViewAsync(id, session, vault, verifier, ct) is { } view
            ? Results.Text(Of(view).ToJsonString(), "application/json")
            : Results.NotFound();

    public static JsonObject Of(DecisionProvenanceView v)
    {
        var entity = new JsonObject();
        var activity = new JsonObject();
        var agent = new JsonObject();
        var generated = new JsonObject();
        var used = new JsonObject();
        var informed = new JsonObject();
        var derived = new JsonObject();
        var attributed = new JsonObject();
        var associated = new JsonObject();
        var delegated = new JsonObject();
        var relations = 0;
        string Relation() => $"_:r{++relations}";
        static JsonObject QName(string name) => new() { ["$"] = name, ["type"] = "xsd:QName" };
        static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

        var organisation = $"ls:organisation-{v.Organisation}";
        agent[organisation] = new JsonObject { ["prov:type"] = QName("prov:Organization"), ["prov:label"] = v.Organisation };
        string Agent(PersonAtTheTime person)
        {
            var key = $"ls:participant-{person.Id}";
            if (!agent.ContainsKey(key))
            {
                agent[key] = new JsonObject
                {
                    ["prov:type"] = QName("prov:Person"), ["prov:label"] = person.DisplayName,
                    ["ls:stakeholderGroup"] = WireValues<StakeholderGroup>.Name(person.StakeholderGroup),
                };
                delegated[Relation()] = new JsonObject { ["prov:delegate"] = key, ["prov:responsible"] = organisation };
            }

            return key;
        }

        string? previous = null;
        foreach (var act in v.Acts)
        {
            var key = $"ls:act-{act.EventId}";
            var record = new JsonObject
            {
                ["prov:startTime"] = Time(act.At), ["prov:endTime"] = Time(act.At), ["prov:type"] = QName($"ls:{act.Move}"),
                ["prov:label"] = act.Type, ["ls:version"] = act.Version, ["ls:sequence"] = act.Sequence,
            };
            if (act.Reason is not null)
            {
                record["ls:reason"] = act.Reason;
            }

            if (act.Link is not null)
            {
                record["ls:chainLink"] = act.Link;
            }

            activity[key] = record;
            associated[Relation()] = new JsonObject
            {
                ["prov:activity"] = key, ["prov:agent"] = Agent(act.By), ["prov:role"] = WireValues<StakeholderGroup>.Name(act.By.StakeholderGroup),
            };
            if (previous is not null)
            {
                informed[Relation()] = new JsonObject { ["prov:informed"] = key, ["prov:informant"] = previous };
            }

            previous = key;
        }

        string? lastWording = null;
        foreach (var w in v.Wordings)
        {
            var key = $"ls:wording-{v.ProposalId}-{w.Number}";
            entity[key] = new JsonObject { ["prov:type"] = QName("ls:Wording"), ["prov:value"] = w.Text };
            var madeBy = $"ls:act-{w.MadeCurrentBy}";
            generated[Relation()] = new JsonObject { ["prov:entity"] = key, ["prov:activity"] = madeBy, ["prov:time"] = Time(w.Since) };
            attributed[Relation()] = new JsonObject { ["prov:entity"] = key, ["prov:agent"] = Agent(w.ProposedBy) };
            if (lastWording is not null)
            {
                derived[Relation()] = new JsonObject
                {
                    ["prov:generatedEntity"] = key, ["prov:usedEntity"] = lastWording, ["prov:activity"] = madeBy, ["prov:type"] = QName("prov:Revision"),
                };
            }

            lastWording = key;
        }

        var decide = $"ls:act-{v.Acts[^1].EventId}";
        var decision = $"ls:decision-{v.Id}";
        entity[decision] = new JsonObject
        {
            ["prov:type"] = QName("ls:Decision"), ["prov:label"] = $"{v.Kind} {v.Outcome}", ["ls:outcome"] = v.Outcome, ["ls:rationale"] = v.Rationale,
        };
        generated[Relation()] = new JsonObject { ["prov:entity"] = decision, ["prov:activity"] = decide, ["prov:time"] = Time(v.At) };
        attributed[Relation()] = new JsonObject { ["prov:entity"] = decision, ["prov:agent"] = Agent(v.DecidedBy) };
        foreach (var maker in v.DecisionMakers)
        {
            associated[Relation()] = new JsonObject { ["prov:activity"] = decide, ["prov:agent"] = Agent(maker), ["prov:role"] = "decisionMaker" };
        }

        if (lastWording is not null)
        {
            used[Relation()] = new JsonObject { ["prov:activity"] = decide, ["prov:entity"] = lastWording };
        }

        foreach (var f in v.Feedback)
        {
            var key = $"ls:feedback-{f.Id}";
            entity[key] = new JsonObject
            {
                ["prov:type"] = QName("ls:PatientFeedback"), ["ls:rating"] = WireValues<LearningSystem.Feedback.FeedbackRating>.Name(f.Rating),
                ["ls:service"] = f.Service, ["ls:receivedAt"] = Time(f.ReceivedAt),
            };
            used[Relation()] = new JsonObject { ["prov:activity"] = decide, ["prov:entity"] = key };
        }

        foreach (var p in v.Priorities)
        {
            var key = $"ls:priority-{p.Id}";
            entity[key] = new JsonObject { ["prov:type"] = QName("ls:AgreedPriority"), ["prov:label"] = p.Statement };
            used[Relation()] = new JsonObject { ["prov:activity"] = decide, ["prov:entity"] = key };
        }

        var document = new JsonObject { ["prefix"] = new JsonObject { ["ls"] = Namespace } };
        foreach (var (name, section) in new (string, JsonObject)[]
                 {
                     ("entity", entity), ("activity", activity), ("agent", agent), ("wasGeneratedBy", generated), ("used", used),
                     ("wasInformedBy", informed), ("wasDerivedFrom", derived), ("wasAttributedTo", attributed),
                     ("wasAssociatedWith", associated), ("actedOnBehalfOf", delegated),
                 })
        {
            if (section.Count > 0)
            {
                document[name] = section;
            }
        }

        return document;
    }
}
