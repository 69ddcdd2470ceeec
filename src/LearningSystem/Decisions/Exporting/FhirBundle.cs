using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;
using Provenance = Hl7.Fhir.Model.Provenance;
using Hl7.Fhir.Serialization;
using LearningSystem.Decisions.Reading;
using LearningSystem.History;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using LearningSystem.Priorities.Reading;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Decisions.Exporting;

/// <summary>
/// A decision's provenance as an HL7 FHIR R4 Bundle (a collection), built with Firely's typed model. It holds
/// the code systems its codes come from, the organisation and every participant as resources, a Provenance
/// and an AuditEvent for every act, and the decision's Provenance, which points at each act's. References
/// inside the Bundle are literal (<c>urn:uuid:</c>); our items are not FHIR resources, so references to them
/// name them by identifier in the <c>urn:learningsystem:</c> systems. A patient is a Patient with only a
/// pseudonymous identifier, the participant id, and never a name.
/// </summary>
public static class FhirBundle
{
    public const string MediaType = "application/fhir+json";
    public const string System = "urn:learningsystem:";
    public const string StakeholderGroupSystem = System + "stakeholder-group";
    public const string EventTypeSystem = System + "event-type";
    private const string DataOperation = "http://terminology.hl7.org/CodeSystem/v3-DataOperation";

    [WolverineGet("/api/decisions/{id}/fhir", OperationId = "getDecisionFhir"), Tags(DecisionsModule.Tag)]
    [Produces(MediaType)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> Get(Guid id, IQuerySession session, PersonalDataVault vault, LearningSystem.Audit.Verifying.ChainVerifier verifier, TimeProvider clock, CancellationToken ct) =>
        await DecisionProvenanceEndpoint.ViewAsync(id, session, vault, verifier, ct) is { } view
            ? Results.Text(Of(view, clock.GetUtcNow()).ToJson(), MediaType)
            : Results.NotFound();

    /// <summary>The code systems of stakeholder groups and event types, as the Bundle carries them (and <c>docs/fhir/</c> keeps them).</summary>
    public static IEnumerable<CodeSystem> CodeSystems()
    {
        yield return new CodeSystem
        {
            Url = StakeholderGroupSystem, Name = "StakeholderGroup", Title = "LearningSystem stakeholder groups", Status = PublicationStatus.Active,
            Description = new Markdown("The group a participant speaks for when they act: whose voice each act carries."),
            Content = CodeSystemContentMode.Complete, CaseSensitive = true,
            Concept = [.. Enum.GetValues<StakeholderGroup>().Select(g => new CodeSystem.ConceptDefinitionComponent { Code = WireValues<StakeholderGroup>.Name(g), Display = Spaced(g.ToString()) })],
        };
        yield return new CodeSystem
        {
            Url = EventTypeSystem, Name = "EventType", Title = "LearningSystem event types", Status = PublicationStatus.Active,
            Description = new Markdown("The stored type of each event that records an act, as the event store and the audit export name it."),
            Content = CodeSystemContentMode.Complete, CaseSensitive = true,
            Concept = [.. Acts.Types.Select(t => new CodeSystem.ConceptDefinitionComponent { Code = WireJson.Alias(t.Name), Display = Spaced(t.Name) })],
        };
    }

    public static Bundle Of(DecisionProvenanceView v, DateTimeOffset now)
    {
        var bundle = new Bundle
        {
            Identifier = new Identifier($"{System}decision", v.Id.ToString()),
            Type = Bundle.BundleType.Collection,
            TimestampElement = new Instant(now),
        };
        void Add(string name, Resource resource) => bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = Url(name), Resource = resource });

        foreach (var codeSystem in CodeSystems())
        {
            Add($"codesystem:{codeSystem.Url}", codeSystem);
        }

        var organisation = Reference($"organisation:{v.Organisation}", v.Organisation);
        Add($"organisation:{v.Organisation}", new Organization { Identifier = [new Identifier($"{System}organisation", v.Organisation)], Name = v.Organisation });

        var people = v.Acts.Select(a => a.By).Append(v.DecidedBy).Concat(v.DecisionMakers).DistinctBy(p => p.Id).ToArray();
        foreach (var person in people)
        {
            Add($"participant:{person.Id}", Person(person));
        }

        var decision = new Provenance
        {
            Target = [Identified("decision", v.Id.ToString(), $"{v.Kind} \"{v.Title}\" {v.Outcome}")],
            Occurred = new FhirDateTime(v.At),
            RecordedElement = new Instant(v.At),
            Reason = [new CodeableConcept { Text = v.Rationale }],
            Activity = Coded(DataOperation, "CREATE", "decided"),
            Agent = [Agent(v.DecidedBy, "author", organisation), .. v.DecisionMakers.Select(m => Agent(m, "attester", organisation))],
        };
        Add($"decision:{v.Id}", decision);
        foreach (var w in v.Wordings.TakeLast(1))
        {
            decision.Entity.Add(Entity(Provenance.ProvenanceEntityRole.Source, Identified("wording", $"{v.ProposalId}/{w.Number}", w.Text)));
        }

        foreach (var f in v.Feedback)
        {
            decision.Entity.Add(Entity(Provenance.ProvenanceEntityRole.Source,
                Identified("patient-feedback", f.Id.ToString(), $"{WireValues<LearningSystem.Feedback.FeedbackRating>.Name(f.Rating)} feedback on {f.Service}")));
        }

        foreach (var p in v.Priorities)
        {
            decision.Entity.Add(Entity(Provenance.ProvenanceEntityRole.Derivation, Identified("priority", p.Id.ToString(), p.Statement)));
        }

        foreach (var (kind, ids) in new[] { ("objection", v.AnswersObjections), ("amendment", v.AnswersAmendments) })
        {
            decision.Entity.AddRange(ids.Select(id => Entity(Provenance.ProvenanceEntityRole.Source, Identified(kind, id.ToString(), $"answered {kind}"))));
        }

        foreach (var act in v.Acts)
        {
            var target = Identified("proposal", $"{v.ProposalId}/_history/{act.Version}", $"{v.Kind} at version {act.Version}");
            var provenance = new Provenance
            {
                Target = [target],
                Occurred = new FhirDateTime(act.At),
                RecordedElement = new Instant(act.At),
                Activity = Coded(DataOperation, act.Version == 1 ? "CREATE" : "UPDATE", act.Move),
                Agent = [Agent(act.By, "author", organisation)],
            };
            if (act.Reason is not null)
            {
                provenance.Reason = [new CodeableConcept { Text = act.Reason }];
            }

            if (act.Version > 1)
            {
                provenance.Entity.Add(Entity(Provenance.ProvenanceEntityRole.Revision, Identified("proposal", $"{v.ProposalId}/_history/{act.Version - 1}", null)));
            }

            Add($"provenance:{act.EventId}", provenance);
            decision.Entity.Add(Entity(Provenance.ProvenanceEntityRole.Derivation, Reference($"provenance:{act.EventId}", $"{act.Move} at version {act.Version}")));

            Add($"audit:{act.EventId}", new AuditEvent
            {
                Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation"),
                Subtype = [new Coding(EventTypeSystem, act.Type, Display(act.Type))],
                Action = act.Version == 1 ? AuditEvent.AuditEventAction.C : AuditEvent.AuditEventAction.U,
                RecordedElement = new Instant(act.At),
                Outcome = AuditEvent.AuditEventOutcome.N0,
                Agent =
                [
                    new AuditEvent.AgentComponent { Role = [Group(act.By.StakeholderGroup)], Who = Who(act.By), Requestor = true },
                ],
                Source = new AuditEvent.SourceComponent
                {
                    Site = v.Organisation,
                    Observer = new ResourceReference { Display = "LearningSystem" },
                    Type = [new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server")],
                },
                Entity =
                [
                    new AuditEvent.EntityComponent
                    {
                        What = Reference($"provenance:{act.EventId}", null),
                        Detail =
                        [
                            new AuditEvent.DetailComponent { Type = "eventId", Value = new FhirString(act.EventId.ToString()) },
                            new AuditEvent.DetailComponent { Type = "sequence", Value = new FhirString(act.Sequence.ToString(global::System.Globalization.CultureInfo.InvariantCulture)) },
                            new AuditEvent.DetailComponent { Type = "chainLink", Value = new FhirString(act.Link ?? "none") },
                        ],
                    },
                ],
            });
        }

        return bundle;
    }

    /// <summary>A patient is known by a pseudonym only; everyone else acts under their name unless it was erased.</summary>
    private static Resource Person(PersonAtTheTime person)
    {
        var identifier = new Identifier($"{System}participant", person.Id.ToString());
        var named = person.DisplayName != SealedValue.ErasedMarker;
        return person.StakeholderGroup switch
        {
            StakeholderGroup.Patient => new Patient { Identifier = [identifier] },
            StakeholderGroup.Carer => new RelatedPerson
            {
                Identifier = [identifier],
                // A carer speaks for themselves here; whom they care for is not recorded, and says so.
                Patient = new ResourceReference { Extension = [new Extension("http://hl7.org/fhir/StructureDefinition/data-absent-reason", new Code("unknown"))] },
                Name = named ? [new HumanName { Text = person.DisplayName }] : [],
            },
            _ => new Practitioner { Identifier = [identifier], Name = named ? [new HumanName { Text = person.DisplayName }] : [] },
        };
    }

    private static ResourceReference Who(PersonAtTheTime person) =>
        Reference($"participant:{person.Id}", person.StakeholderGroup == StakeholderGroup.Patient ? null : person.DisplayName);

    private static Provenance.AgentComponent Agent(PersonAtTheTime person, string type, ResourceReference organisation) => new()
    {
        Type = Coded("http://terminology.hl7.org/CodeSystem/provenance-participant-type", type, type),
        Role = [Group(person.StakeholderGroup)],
        Who = Who(person),
        OnBehalfOf = organisation,
    };

    private static Provenance.EntityComponent Entity(Provenance.ProvenanceEntityRole role, ResourceReference what) => new() { Role = role, What = what };

    private static ResourceReference Reference(string name, string? display) => new(Url(name), display);

    private static ResourceReference Identified(string kind, string value, string? display) =>
        new() { Identifier = new Identifier($"{System}{kind}", value), Display = display };

    private static CodeableConcept Coded(string system, string code, string text) => new() { Coding = [new Coding(system, code)], Text = text };

    private static CodeableConcept Group(StakeholderGroup group) =>
        new() { Coding = [new Coding(StakeholderGroupSystem, WireValues<StakeholderGroup>.Name(group), Spaced(group.ToString()))] };

    /// <summary>The full URL of an entry: a name-based uuid, so the same decision exports the same Bundle.</summary>
    private static string Url(string name) => $"urn:uuid:{new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(name))[..16])}";

    private static string Display(string alias) => Spaced(string.Concat(alias.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..])));

    private static string Spaced(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : c.ToString()));
}
