using System.Globalization;
using System.Text;
using JasperFx.Events;
using LearningSystem.Audit;
using LearningSystem.Audit.Verifying;
using LearningSystem.Curriculum;
using LearningSystem.Feedback;
using LearningSystem.History;
using LearningSystem.Negotiating;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using LearningSystem.Priorities;
using LearningSystem.Priorities.Reading;
using LearningSystem.ServiceRedesigns;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Decisions.Reading;

/// <summary>
/// One act that led to the decision, with the link that chains it into its stream. <see cref="About"/> is the
/// objection, amendment or counter-proposal the act raises, withdraws, accepts or rejects (the id the
/// decision's <c>answersObjections</c> and <c>answersAmendments</c> name), or the priority merged in or into.
/// </summary>
public sealed record ActRecord(
    long Sequence, Guid EventId, long Version, string Type, string Move, PersonAtTheTime By, DateTimeOffset At, string? Reason, string? Wording, string? Link,
    Guid? About = null);

/// <summary>A wording the proposal had, and the act that made it current.</summary>
public sealed record WordingAtDecision(int Number, string Text, PersonAtTheTime ProposedBy, PersonAtTheTime? AcceptedBy, Guid MadeCurrentBy, DateTimeOffset Since);

public sealed record FeedbackEvidence(Guid Id, string Service, FeedbackRating Rating, DateTimeOffset ReceivedAt);

public sealed record PriorityEvidence(Guid Id, string Statement, DecisionOutcome? Outcome, Guid? DecisionId);

/// <summary>The chain of acts and evidence that led to one decision, as people (and auditors) read it.</summary>
public sealed record DecisionProvenanceView(
    Guid Id, string Kind, Guid ProposalId, string Title, string Outcome, string Rationale, DateTimeOffset At, string Organisation,
    PersonAtTheTime DecidedBy, IReadOnlyList<PersonAtTheTime> DecisionMakers,
    IReadOnlyList<WordingAtDecision> Wordings, IReadOnlyList<ActRecord> Acts,
    IReadOnlyList<FeedbackEvidence> Feedback, IReadOnlyList<PriorityEvidence> Priorities,
    IReadOnlyList<Guid> AnswersObjections, IReadOnlyList<Guid> AnswersAmendments, bool ChainIntact)
{
    /// <summary>Where the proposal's chain first breaks, when it does: damaged history is shown as far as it goes, never hidden.</summary>
    public BrokenLink? FirstBroken { get; init; }
}

public static class DecisionProvenanceEndpoint
{
    /// <summary>The outcome shown when the decision's own event is gone from a damaged stream.</summary>
    public const string MissingOutcome = "missing";

    /// <summary>Every act on the proposal up to its decision, each wording, the evidence, and whether the stream's hash chain holds.</summary>
    [WolverineGet("/api/decisions/{id}/provenance", OperationId = "getDecisionProvenance"), Tags(DecisionsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static Task<DecisionProvenanceView?> Get(Guid id, IQuerySession session, PersonalDataVault vault, ChainVerifier verifier, CancellationToken ct) =>
        ViewAsync(id, session, vault, verifier, ct);

    /// <summary>The same provenance as plain text, for a report.</summary>
    [WolverineGet("/api/decisions/{id}/provenance/text", OperationId = "getDecisionProvenanceText"), Tags(DecisionsModule.Tag)]
    [Produces("text/plain")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> GetText(Guid id, IQuerySession session, PersonalDataVault vault, ChainVerifier verifier, CancellationToken ct) =>
        await ViewAsync(id, session, vault, verifier, ct) is { } view ? Results.Text(Render(view), "text/plain; charset=utf-8") : Results.NotFound();

    /// <summary>Not named LoadAsync: Wolverine would run a method of that name before every endpoint of the class.</summary>
    public static async Task<DecisionProvenanceView?> ViewAsync(Guid id, IQuerySession session, PersonalDataVault vault, ChainVerifier verifier, CancellationToken ct)
    {
        if (await session.LoadAsync<DecisionEntry>(id, ct) is not { } entry)
        {
            return null;
        }

        var events = await session.Events.FetchStreamAsync(entry.ProposalId, entry.Version, token: ct);
        var chain = await verifier.VerifyAsync(session, entry.ProposalId, ct);
        var decided = events.Count == 0 ? null : events[^1].Data;
        var (basedOn, feedbackIds) = (events.Count == 0 ? null : events[0].Data, decided) switch
        {
            (PrioritySet set, _) => ((IReadOnlyList<Guid>)[], set.Feedback),
            (ServiceRedesignProposed r, ChangeDecided d) => (d.BasedOnPriorities, r.Evidence),
            (CurriculumChangeProposed c, ChangeDecided d) => (d.BasedOnPriorities, c.Evidence),
            _ => ([], []),
        };
        var people = events.Select(e => Acts.Describe(e.Data)?.By).OfType<Guid>()
            .Concat(decided switch { PriorityDecided d => d.DecisionMakers, ChangeDecided d => d.DecisionMakers, _ => [] })
            .Distinct().ToArray();

        var batch = session.CreateBatchQuery();
        var participants = batch.LoadMany<Participant>().ById(people);
        var feedback = batch.LoadMany<PatientFeedback>().ById([.. feedbackIds]);
        var priorities = batch.LoadMany<Priority>().ById([.. basedOn]);
        await batch.Execute(ct);
        var names = (await vault.OpenAllAsync(session, await participants, ct)).ToDictionary(p => p.Id);
        // The index remembers a decision the stream no longer holds: its tail was removed, a break the links
        // of what is left cannot show.
        var lost = decided is not (PriorityDecided or ChangeDecided)
            ? new BrokenLink(null, entry.ProposalId, entry.Version, null, null, "missing", $"The decision recorded at version {entry.Version} is gone from the stream.")
            : null;
        return Compose(entry, events, chain.Intact && lost is null, names, await feedback, await priorities, session.TenantId) with { FirstBroken = chain.FirstBroken ?? lost };
    }

    /// <summary>Pure: the view from the stream up to the decision (each event's link is in its headers), and what the acts refer to.</summary>
    public static DecisionProvenanceView Compose(
        DecisionEntry entry, IReadOnlyList<IEvent> events, bool chainIntact,
        IReadOnlyDictionary<Guid, Participant> people, IReadOnlyList<PatientFeedback> feedback, IReadOnlyList<Priority> priorities, string organisation)
    {
        var groupAt = new Dictionary<Guid, StakeholderGroup>();
        PersonAtTheTime Person(Guid id, StakeholderGroup group) =>
            new(id, people.TryGetValue(id, out var p) ? p.DisplayName : SealedValue.ErasedMarker, group);
        PersonAtTheTime Known(Guid id) =>
            Person(id, groupAt.TryGetValue(id, out var g) ? g : people.TryGetValue(id, out var p) ? p.StakeholderGroup : StakeholderGroup.Other);

        var acts = new List<ActRecord>();
        var wordings = new List<WordingAtDecision>();
        var amendments = new Dictionary<Guid, (string Wording, PersonAtTheTime By)>();
        foreach (var e in events)
        {
            if (Acts.Describe(e.Data) is not { } act)
            {
                continue;
            }

            var by = Person(act.By, act.Group);
            groupAt[act.By] = act.Group;
            var about = e.Data switch
            {
                ObjectionRaised o => o.ObjectionId,
                ObjectionWithdrawn o => o.ObjectionId,
                AmendmentProposed a => a.AmendmentId,
                AmendmentAccepted a => a.AmendmentId,
                AmendmentRejected a => a.AmendmentId,
                CounterProposed c => c.CounterProposalId,
                PriorityAbsorbed m => m.From,
                PriorityMerged m => m.Into,
                _ => (Guid?)null,
            };
            acts.Add(new ActRecord(e.Sequence, e.Id, e.Version, e.EventTypeName, act.Move, by, e.Timestamp, act.Reason, act.Wording,
                e.Headers?.GetValueOrDefault(HashChain.LinkHeader)?.ToString(), about));
            switch (e.Data)
            {
                case PrioritySet or ServiceRedesignProposed or CurriculumChangeProposed:
                    wordings.Add(new WordingAtDecision(1, act.Wording!, by, null, e.Id, e.Timestamp));
                    break;
                case AmendmentProposed proposed:
                    amendments[proposed.AmendmentId] = (proposed.Wording, by);
                    break;
                case AmendmentAccepted accepted when amendments.TryGetValue(accepted.AmendmentId, out var amendment):
                    wordings.Add(new WordingAtDecision(wordings.Count + 1, amendment.Wording, amendment.By, by, e.Id, e.Timestamp));
                    break;
            }
        }

        // Damaged history (events removed or rewritten) is shown as far as it goes; what is gone says so.
        var (kind, title) = (events.Count == 0 ? null : events[0].Data) switch
        {
            PrioritySet when wordings.Count > 0 => ("priority", wordings[^1].Text),
            ServiceRedesignProposed r => ("serviceRedesign", r.Title),
            CurriculumChangeProposed c => ("curriculumChange", c.Module is null ? c.Course : $"{c.Course}, {c.Module}"),
            _ => ("proposal", entry.ProposalId.ToString()),
        };
        var (outcome, rationale, makers, objections, answered, decidedBy) = (events.Count == 0 ? null : events[^1].Data) switch
        {
            PriorityDecided d => (WireValues<DecisionOutcome>.Name(d.Outcome), d.Rationale, d.DecisionMakers, d.AnswersObjections, d.AnswersAmendments, Person(d.By, d.ByGroup)),
            ChangeDecided d => (WireValues<ChangeOutcome>.Name(d.Outcome), d.Rationale, d.DecisionMakers, d.AnswersObjections, d.AnswersAmendments, Person(d.By, d.ByGroup)),
            _ => (MissingOutcome, $"The event recording this decision (version {entry.Version} of the proposal) is no longer in the stream.",
                (IReadOnlyList<Guid>)[], (IReadOnlyList<Guid>)[], (IReadOnlyList<Guid>)[], new PersonAtTheTime(Guid.Empty, SealedValue.ErasedMarker, StakeholderGroup.Other)),
        };

        return new DecisionProvenanceView(
            entry.Id, kind, entry.ProposalId, title, outcome, rationale, entry.At, organisation, decidedBy, makers.Select(Known).ToArray(),
            wordings, acts,
            // In a fixed order: the database answers a load of many ids in whatever order it finds them.
            feedback.OrderBy(f => f.Id).Select(f => new FeedbackEvidence(f.Id, f.Service, f.Rating, f.ReceivedAt)).ToArray(),
            priorities.OrderBy(p => p.Id).Select(p => new PriorityEvidence(p.Id, p.Statement, p.Decision?.Outcome, p.Decision?.Id)).ToArray(),
            objections, answered, chainIntact);
    }

    public static string Render(DecisionProvenanceView v)
    {
        static string Who(PersonAtTheTime p) => $"{p.DisplayName} ({WireValues<StakeholderGroup>.Name(p.StakeholderGroup)})";
        static string When(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Decision {v.Id}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{v.Kind} \"{v.Title}\" ({v.ProposalId}) was {v.Outcome} on {When(v.At)}, recorded by {Who(v.DecidedBy)}, for {v.Organisation}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Rationale: {v.Rationale}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Decided by: {string.Join(", ", v.DecisionMakers.Select(Who))}");
        text.AppendLine().AppendLine("Wordings:");
        foreach (var w in v.Wordings)
        {
            var accepted = w.AcceptedBy is { } a ? $", accepted by {Who(a)}" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"  {w.Number}. \"{w.Text}\" proposed by {Who(w.ProposedBy)}{accepted}, {When(w.Since)}");
        }

        text.AppendLine().AppendLine("Acts, in order:");
        foreach (var act in v.Acts)
        {
            var wording = act.Wording is null ? "" : $" \"{act.Wording}\"";
            var reason = act.Reason is null ? "" : $": {act.Reason}";
            text.AppendLine(CultureInfo.InvariantCulture, $"  v{act.Version} {When(act.At)} {Who(act.By)} {act.Move}{wording}{reason} [link {act.Link?[..16] ?? "none"}]");
        }

        text.AppendLine().AppendLine("Evidence:");
        foreach (var f in v.Feedback)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  feedback {f.Id}: {WireValues<FeedbackRating>.Name(f.Rating)} on {f.Service}, received {When(f.ReceivedAt)}");
        }

        foreach (var p in v.Priorities)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  priority {p.Id}: \"{p.Statement}\", {(p.Outcome is { } o ? WireValues<DecisionOutcome>.Name(o) : "undecided")}");
        }

        if (v.Feedback.Count + v.Priorities.Count == 0)
        {
            text.AppendLine("  none cited");
        }

        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"The decision answers {v.AnswersObjections.Count} objection(s) and {v.AnswersAmendments.Count} amendment(s).");
        text.AppendLine(v.ChainIntact
            ? "The hash chain of this proposal's events verifies."
            : "WARNING: the hash chain of this proposal's events does not verify; see /api/audit/verify.");
        return text.ToString();
    }
}
