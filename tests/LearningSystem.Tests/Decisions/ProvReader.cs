using System.Globalization;
using System.Text.Json;
using LearningSystem.Decisions.Reading;
using LearningSystem.Feedback;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.Priorities.Reading;

namespace LearningSystem.Tests.Decisions;

/// <summary>
/// What an auditor holding only a decision's PROV-JSON document can rebuild: the whole negotiation, read from
/// entities, activities, agents and the relations between them, with nothing from the service.
/// </summary>
internal sealed class ProvReader
{
    private readonly JsonElement root;

    private ProvReader(JsonElement root) => this.root = root;

    public static DecisionProvenanceView Rebuild(JsonElement prov) => new ProvReader(prov).View();

    private IEnumerable<(string Key, JsonElement Value)> Section(string name) =>
        root.TryGetProperty(name, out var section) ? section.EnumerateObject().Select(p => (p.Name, p.Value)) : [];

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string TypeOf(JsonElement e) => e.GetProperty("prov:type").GetProperty("$").GetString()!;

    private static Guid Id(string key, string prefix) => Guid.Parse(key[prefix.Length..]);

    private static DateTimeOffset Instant(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static StakeholderGroup Group(string name) => Enum.Parse<StakeholderGroup>(name, ignoreCase: true);

    private PersonAtTheTime Person(string agentKey, string group) =>
        new(Id(agentKey, "ls:participant-"), Text(root.GetProperty("agent").GetProperty(agentKey), "prov:label")!, Group(group));

    private DecisionProvenanceView View()
    {
        var entities = Section("entity").ToDictionary(e => e.Key, e => e.Value);
        var activities = Section("activity").ToDictionary(a => a.Key, a => a.Value);
        var associations = Section("wasAssociatedWith").Select(r => r.Value).ToArray();
        var generations = Section("wasGeneratedBy").Select(r => r.Value).ToArray();
        var uses = Section("used").Select(r => r.Value).ToArray();
        var invalidations = Section("wasInvalidatedBy").Select(r => r.Value).ToArray();
        var attributions = Section("wasAttributedTo").Select(r => r.Value).ToArray();

        string? AttributedTo(string entity) => attributions.FirstOrDefault(r => Text(r, "prov:entity") == entity) is { ValueKind: JsonValueKind.Object } r ? Text(r, "prov:agent") : null;
        JsonElement ActorOf(string act) => associations.First(r => Text(r, "prov:activity") == act && Text(r, "prov:role") != "decisionMaker");
        PersonAtTheTime By(string act) => Person(Text(ActorOf(act), "prov:agent")!, Text(ActorOf(act), "prov:role")!);

        // Acts are ordered by their place in the store; what each is about is the entity it makes, uses or ends.
        var acts = activities.OrderBy(a => a.Value.GetProperty("ls:sequence").GetInt64()).Select(a =>
        {
            var (key, act) = a;
            var about = generations.Concat(uses).Concat(invalidations)
                .Where(r => Text(r, "prov:activity") == key)
                .Select(r => Text(r, "prov:entity")!)
                .FirstOrDefault(e => TypeOf(entities[e]) is "ls:Objection" or "ls:Amendment" or "ls:CounterProposal" or "ls:Priority"
                                     && TypeOf(act) != "ls:decided");
            return new ActRecord(
                act.GetProperty("ls:sequence").GetInt64(), Guid.Parse(Text(act, "ls:eventId")!), act.GetProperty("ls:version").GetInt64(),
                Text(act, "prov:label")!, TypeOf(act)["ls:".Length..], By(key), Instant(Text(act, "prov:startTime")!),
                Text(act, "ls:reason"), Text(act, "ls:wording"), Text(act, "ls:chainLink"),
                about is null ? null : Guid.Parse(about[(about.IndexOf('-', StringComparison.Ordinal) + 1)..]));
        }).ToArray();

        var wordings = entities.Where(e => TypeOf(e.Value) == "ls:Wording").Select(e =>
        {
            var made = generations.First(r => Text(r, "prov:entity") == e.Key);
            var act = Text(made, "prov:activity")!;
            var number = e.Value.GetProperty("ls:number").GetInt32();
            var proposer = AttributedTo(e.Key)!;
            var proposedBy = acts.First(a => a.By.Id == Id(proposer, "ls:participant-")).By;
            // The wording an amendment brought was proposed by the amendment's author, in the group they spoke for then.
            if (number > 1)
            {
                var amendment = uses.First(r => Text(r, "prov:activity") == act && Text(r, "prov:role") == "accepted");
                var proposing = Text(generations.First(r => Text(r, "prov:entity") == Text(amendment, "prov:entity")), "prov:activity")!;
                proposedBy = By(proposing);
            }
            else
            {
                proposedBy = By(act);
            }

            return new WordingAtDecision(number, Text(e.Value, "prov:value")!, proposedBy, number > 1 ? By(act) : null,
                Guid.Parse(Text(activities[act], "ls:eventId")!), Instant(Text(made, "prov:time")!));
        }).OrderBy(w => w.Number).ToArray();

        var (decisionKey, decision) = entities.Single(e => TypeOf(e.Value) == "ls:Decision");
        var decide = Text(generations.Single(r => Text(r, "prov:entity") == decisionKey), "prov:activity")!;
        var decidedBy = By(decide);
        var makers = associations.Where(r => Text(r, "prov:activity") == decide && Text(r, "prov:role") == "decisionMaker")
            .Select(r => Person(Text(r, "prov:agent")!, Text(r, "ls:stakeholderGroup")!)).ToArray();
        Guid[] Answers(string type) =>
        [
            .. uses.Where(r => Text(r, "prov:activity") == decide && Text(r, "prov:role") == "answers")
                .Select(r => Text(r, "prov:entity")!).Where(e => TypeOf(entities[e]) == type)
                .Select(e => Guid.Parse(e[(e.IndexOf('-', StringComparison.Ordinal) + 1)..])),
        ];

        var (proposalKey, proposal) = entities.Single(e => e.Key.StartsWith("ls:proposal-", StringComparison.Ordinal));
        var organisation = Section("agent").Single(a => TypeOf(a.Value) == "prov:Organization").Value;
        var feedback = entities.Where(e => TypeOf(e.Value) == "ls:PatientFeedback").Select(e => new FeedbackEvidence(
            Id(e.Key, "ls:feedback-"), Text(e.Value, "ls:service")!, Enum.Parse<FeedbackRating>(Text(e.Value, "ls:rating")!, ignoreCase: true),
            Instant(Text(e.Value, "ls:receivedAt")!))).ToArray();
        var priorities = entities.Where(e => TypeOf(e.Value) == "ls:AgreedPriority").Select(e => new PriorityEvidence(
            Id(e.Key, "ls:priority-"), Text(e.Value, "prov:label")!,
            Text(e.Value, "ls:outcome") is { } o ? Enum.Parse<DecisionOutcome>(o, ignoreCase: true) : null,
            Text(e.Value, "ls:decision") is { } d ? Guid.Parse(d) : null)).ToArray();

        return new DecisionProvenanceView(
            Id(decisionKey, "ls:decision-"), Text(proposal, "ls:kind")!, Id(proposalKey, "ls:proposal-"), Text(proposal, "prov:label")!,
            Text(decision, "ls:outcome")!, Text(decision, "ls:rationale")!, Instant(Text(decision, "ls:decidedAt")!), Text(organisation, "prov:label")!,
            decidedBy, makers, wordings, acts, feedback, priorities, Answers("ls:Objection"), Answers("ls:Amendment"),
            decision.GetProperty("ls:chainIntact").GetBoolean());
    }
}
