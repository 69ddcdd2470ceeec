using System.Globalization;
using System.Text.Json.Nodes;
using LearningSystem.Decisions.Reading;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using LearningSystem.Priorities.Reading;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Decisions.Exporting;

/// <summary>
/// A decision's provenance as a W3C PROV-JSON document, complete enough to rebuild the negotiation from it
/// alone: the proposal, its wordings, the objections, amendments and counter-proposals, the evidence and the
/// decision are entities; every move is an activity that generates, uses or invalidates them; participants
/// are agents acting for their organisation. Evidence is used by the act that cited it, and the decision's
/// act uses the wording, the objections and amendments it answers, and the priorities it rests on.
/// Moves are instantaneous, so they carry <c>prov:startTime</c> and <c>prov:endTime</c> and no end relations
/// (the published schema misspells <c>wasEndedby</c> and refuses the standard spelling).
/// </summary>
public static class ProvDocument
{
    public const string Namespace = "urn:learningsystem:";

    [WolverineGet("/api/decisions/{id}/prov", OperationId = "getDecisionProv"), Tags(DecisionsModule.Tag)]
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
        var invalidated = new JsonObject();
        var informed = new JsonObject();
        var derived = new JsonObject();
        var attributed = new JsonObject();
        var associated = new JsonObject();
        var delegated = new JsonObject();
        var relations = 0;
        string Relation() => $"_:r{++relations}";
        static JsonObject QName(string name) => new() { ["$"] = name, ["type"] = "xsd:QName" };
        static string Group(StakeholderGroup group) => WireValues<StakeholderGroup>.Name(group);

        var organisation = $"ls:organisation-{v.Organisation}";
        agent[organisation] = new JsonObject { ["prov:type"] = QName("prov:Organization"), ["prov:label"] = v.Organisation };
        string Agent(PersonAtTheTime person)
        {
            var key = $"ls:participant-{person.Id}";
            if (!agent.ContainsKey(key))
            {
                agent[key] = new JsonObject { ["prov:type"] = QName("prov:Person"), ["prov:label"] = person.DisplayName, ["ls:stakeholderGroup"] = Group(person.StakeholderGroup) };
                delegated[Relation()] = new JsonObject { ["prov:delegate"] = key, ["prov:responsible"] = organisation };
            }

            return key;
        }

        void Generated(string entityKey, string act, DateTimeOffset at) =>
            generated[Relation()] = new JsonObject { ["prov:entity"] = entityKey, ["prov:activity"] = act, ["prov:time"] = Time(at) };
        void Used(string act, string entityKey, string role, DateTimeOffset at) =>
            used[Relation()] = new JsonObject { ["prov:activity"] = act, ["prov:entity"] = entityKey, ["prov:role"] = role, ["prov:time"] = Time(at) };

        // The proposal under negotiation, made by its first act.
        var proposal = $"ls:proposal-{v.ProposalId}";
        entity[proposal] = new JsonObject { ["prov:type"] = QName($"ls:{v.Kind}"), ["prov:label"] = v.Title, ["ls:kind"] = v.Kind };

        string? previous = null;
        foreach (var act in v.Acts)
        {
            var key = Act(act.EventId);
            var record = new JsonObject
            {
                ["prov:startTime"] = Time(act.At), ["prov:endTime"] = Time(act.At), ["prov:type"] = QName($"ls:{act.Move}"),
                ["prov:label"] = act.Type, ["ls:eventId"] = act.EventId.ToString(), ["ls:version"] = act.Version, ["ls:sequence"] = act.Sequence,
            };
            if (act.Reason is not null)
            {
                record["ls:reason"] = act.Reason;
            }

            if (act.Wording is not null)
            {
                record["ls:wording"] = act.Wording;
            }

            if (act.Link is not null)
            {
                record["ls:chainLink"] = act.Link;
            }

            activity[key] = record;
            associated[Relation()] = new JsonObject { ["prov:activity"] = key, ["prov:agent"] = Agent(act.By), ["prov:role"] = Group(act.By.StakeholderGroup) };
            if (previous is null)
            {
                Generated(proposal, key, act.At);
            }
            else
            {
                informed[Relation()] = new JsonObject { ["prov:informed"] = key, ["prov:informant"] = previous };
            }

            previous = key;

            // What the act is about: objections, amendments and counter-proposals are entities in their own right.
            if (act.About is not { } about)
            {
                continue;
            }

            switch (act.Move)
            {
                case "objectionRaised":
                    entity[$"ls:objection-{about}"] = new JsonObject { ["prov:type"] = QName("ls:Objection"), ["ls:reason"] = act.Reason };
                    Generated($"ls:objection-{about}", key, act.At);
                    attributed[Relation()] = new JsonObject { ["prov:entity"] = $"ls:objection-{about}", ["prov:agent"] = Agent(act.By) };
                    break;
                case "objectionWithdrawn":
                    invalidated[Relation()] = new JsonObject { ["prov:entity"] = $"ls:objection-{about}", ["prov:activity"] = key, ["prov:time"] = Time(act.At) };
                    break;
                case "amendmentProposed":
                    entity[$"ls:amendment-{about}"] = new JsonObject { ["prov:type"] = QName("ls:Amendment"), ["prov:value"] = act.Wording, ["ls:reason"] = act.Reason };
                    Generated($"ls:amendment-{about}", key, act.At);
                    attributed[Relation()] = new JsonObject { ["prov:entity"] = $"ls:amendment-{about}", ["prov:agent"] = Agent(act.By) };
                    break;
                case "amendmentAccepted":
                    Used(key, $"ls:amendment-{about}", "accepted", act.At);
                    break;
                case "amendmentRejected":
                    Used(key, $"ls:amendment-{about}", "rejected", act.At);
                    invalidated[Relation()] = new JsonObject { ["prov:entity"] = $"ls:amendment-{about}", ["prov:activity"] = key, ["prov:time"] = Time(act.At) };
                    break;
                case "counterProposed":
                    entity[$"ls:counterProposal-{about}"] = new JsonObject { ["prov:type"] = QName("ls:CounterProposal"), ["ls:priority"] = about.ToString() };
                    Generated($"ls:counterProposal-{about}", key, act.At);
                    attributed[Relation()] = new JsonObject { ["prov:entity"] = $"ls:counterProposal-{about}", ["prov:agent"] = Agent(act.By) };
                    break;
                case "mergedFrom" or "mergedInto":
                    entity.TryAdd($"ls:priority-{about}", new JsonObject { ["prov:type"] = QName("ls:Priority") });
                    Used(key, $"ls:priority-{about}", act.Move, act.At);
                    break;
            }
        }

        string? lastWording = null;
        foreach (var w in v.Wordings)
        {
            var key = $"ls:wording-{v.ProposalId}-{w.Number}";
            entity[key] = new JsonObject { ["prov:type"] = QName("ls:Wording"), ["prov:value"] = w.Text, ["ls:number"] = w.Number };
            var madeBy = Act(w.MadeCurrentBy);
            Generated(key, madeBy, w.Since);
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

        var decide = v.Acts.Count > 0 ? Act(v.Acts[^1].EventId) : null;
        var decision = $"ls:decision-{v.Id}";
        entity[decision] = new JsonObject
        {
            ["prov:type"] = QName("ls:Decision"), ["prov:label"] = $"{v.Kind} {v.Outcome}", ["ls:outcome"] = v.Outcome, ["ls:rationale"] = v.Rationale,
            ["ls:decidedAt"] = Time(v.At), ["ls:chainIntact"] = v.ChainIntact,
        };
        attributed[Relation()] = new JsonObject { ["prov:entity"] = decision, ["prov:agent"] = Agent(v.DecidedBy) };
        if (decide is not null)
        {
            generated[Relation()] = new JsonObject { ["prov:entity"] = decision, ["prov:activity"] = decide, ["prov:time"] = Time(v.At) };
            foreach (var maker in v.DecisionMakers)
            {
                associated[Relation()] = new JsonObject
                {
                    ["prov:activity"] = decide, ["prov:agent"] = Agent(maker), ["prov:role"] = "decisionMaker", ["ls:stakeholderGroup"] = Group(maker.StakeholderGroup),
                };
            }

            if (lastWording is not null)
            {
                Used(decide, lastWording, "wording", v.At);
            }

            // The decision answers these objections and amendments, each an entity made by the act that raised it.
            foreach (var (kind, ids) in new[] { ("objection", v.AnswersObjections), ("amendment", v.AnswersAmendments) })
            {
                foreach (var id in ids)
                {
                    entity.TryAdd($"ls:{kind}-{id}", new JsonObject { ["prov:type"] = QName(kind == "objection" ? "ls:Objection" : "ls:Amendment") });
                    Used(decide, $"ls:{kind}-{id}", "answers", v.At);
                }
            }

            foreach (var p in v.Priorities)
            {
                var key = $"ls:priority-{p.Id}";
                var record = new JsonObject { ["prov:type"] = QName("ls:AgreedPriority"), ["prov:label"] = p.Statement };
                if (p.Outcome is { } outcome)
                {
                    record["ls:outcome"] = WireValues<LearningSystem.Priorities.DecisionOutcome>.Name(outcome);
                }

                if (p.DecisionId is { } decisionId)
                {
                    record["ls:decision"] = decisionId.ToString();
                }

                entity[key] = record;
                Used(decide, key, "basedOn", v.At);
            }
        }

        // Feedback is evidence cited by the act that put the proposal forward.
        if (v.Acts.Count > 0)
        {
            foreach (var f in v.Feedback)
            {
                var key = $"ls:feedback-{f.Id}";
                entity[key] = new JsonObject
                {
                    ["prov:type"] = QName("ls:PatientFeedback"), ["ls:rating"] = WireValues<LearningSystem.Feedback.FeedbackRating>.Name(f.Rating),
                    ["ls:service"] = f.Service, ["ls:receivedAt"] = Time(f.ReceivedAt),
                };
                Used(Act(v.Acts[0].EventId), key, "evidence", v.Acts[0].At);
            }
        }

        var document = new JsonObject { ["prefix"] = new JsonObject { ["ls"] = Namespace } };
        foreach (var (name, section) in new (string, JsonObject)[]
                 {
                     ("entity", entity), ("activity", activity), ("agent", agent), ("wasGeneratedBy", generated), ("used", used),
                     ("wasInvalidatedBy", invalidated), ("wasInformedBy", informed), ("wasDerivedFrom", derived), ("wasAttributedTo", attributed),
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

    private static string Act(Guid eventId) => $"ls:act-{eventId}";

    /// <summary>Full precision, so a rebuilt negotiation carries the same instants as the service's own view.</summary>
    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
