using LearningSystem.Negotiating;
using LearningSystem.History;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Priorities.Reading;

/// <summary>A participant as they were when they acted: their group is the one recorded with the act.</summary>
public sealed record PersonAtTheTime(Guid Id, string DisplayName, StakeholderGroup StakeholderGroup);

public sealed record MoveRecord(long Version, string Move, PersonAtTheTime By, DateTimeOffset At, string? Reason, string? Wording, Guid? Subject);

public sealed record WordingRecord(string Text, PersonAtTheTime ProposedBy, PersonAtTheTime? AcceptedBy, Guid? Amendment, DateTimeOffset Since);

public sealed record DecisionRecord(
    DecisionOutcome Outcome, string Rationale, IReadOnlyList<PersonAtTheTime> DecisionMakers, PersonAtTheTime RecordedBy,
    IReadOnlyList<Guid> AnswersObjections, IReadOnlyList<Guid> AnswersAmendments, DateTimeOffset At);

public sealed record PriorityLinks(
    Guid? CounterTo, IReadOnlyList<Guid> CounterProposals, Guid? MergedInto, IReadOnlyList<Guid> MergedFrom,
    IReadOnlyList<Guid> Redesigns, IReadOnlyList<Guid> Feedback);

public sealed record PriorityProvenanceView(
    Guid Id, string Statement, PriorityStatus Status, long Version,
    PersonAtTheTime SetBy, DateTimeOffset SetAt, string Rationale,
    IReadOnlyList<MoveRecord> Moves, IReadOnlyList<WordingRecord> Wordings, DecisionRecord? Decision, PriorityLinks Links);

public static class PriorityProvenanceEndpoint
{
    /// <summary>
    /// Built from the priority's events: who set it, every move in order with actor, group, time and reason,
    /// every wording with who proposed and who accepted it, and the decision that stands.
    /// </summary>
    public static PriorityProvenanceView Compose(Priority priority, IReadOnlyList<(long Version, object Data)> events, IReadOnlyDictionary<Guid, Participant> people)
    {
        var groupAt = new Dictionary<Guid, StakeholderGroup> { [priority.SetBy] = priority.SetByGroup };
        PersonAtTheTime Person(Guid id, StakeholderGroup group) =>
            new(id, people.TryGetValue(id, out var p) ? p.DisplayName : SealedValue.ErasedMarker, group);

        // Someone named without acting here (a decision maker, say) shows their group as of their last act, or as it is now.
        PersonAtTheTime Known(Guid id) =>
            Person(id, groupAt.TryGetValue(id, out var g) ? g : people.TryGetValue(id, out var p) ? p.StakeholderGroup : StakeholderGroup.Other);

        var moves = new List<MoveRecord>();
        PriorityDecided? standing = null;
        foreach (var (version, data) in events)
        {
            // Setting the priority is recorded as setBy and setAt; the moves are what came after.
            if (data is not PrioritySet && Acts.Describe(data) is { } act)
            {
                groupAt[act.By] = act.Group;
                var name = data is PriorityDecided decided ? $"decided{decided.Outcome}" : act.Move;
                moves.Add(new MoveRecord(version, name, Person(act.By, act.Group), act.At, act.Reason, act.Wording, Subject(data)));
            }

            standing = data switch
            {
                PriorityDecided d => d,
                DecisionReopened => null,
                _ => standing,
            };
        }

        var proposers = priority.Negotiation.Amendments.ToDictionary(a => a.Id, a => Person(a.By, a.ByGroup));
        var wordings = priority.Negotiation.Wordings.Select(w => new WordingRecord(
            w.Text,
            w.Amendment is { } amendment ? proposers[amendment] : Person(w.ProposedBy, priority.SetByGroup),
            w.AcceptedBy is { } accepter ? Known(accepter) : null,
            w.Amendment,
            w.Since)).ToArray();

        var decision = standing is null ? null : new DecisionRecord(
            standing.Outcome, standing.Rationale, standing.DecisionMakers.Select(Known).ToArray(), Person(standing.By, standing.ByGroup),
            standing.AnswersObjections, standing.AnswersAmendments, standing.At);

        return new PriorityProvenanceView(
            priority.Id, priority.Statement, priority.Status, priority.Version,
            Person(priority.SetBy, priority.SetByGroup), priority.SetAt, priority.Rationale,
            moves, wordings, decision,
            new PriorityLinks(priority.CounterTo, priority.CounterProposals, priority.MergedInto, priority.MergedFrom, priority.Redesigns, priority.Feedback));
    }

    /// <summary>What a move was about: the objection, amendment, counter-proposal or priority it names.</summary>
    private static Guid? Subject(object data) => data switch
    {
        ObjectionRaised e => e.ObjectionId,
        ObjectionWithdrawn e => e.ObjectionId,
        AmendmentProposed e => e.AmendmentId,
        AmendmentAccepted e => e.AmendmentId,
        AmendmentRejected e => e.AmendmentId,
        CounterProposed e => e.CounterProposalId,
        PriorityMerged e => e.Into,
        PriorityAbsorbed e => e.From,
        _ => null,
    };

    [WolverineGet("/api/priorities/{id}/provenance", OperationId = "getPriorityProvenance"), Tags(PrioritiesModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<PriorityProvenanceView?> Get(Guid id, IQuerySession session, PersonalDataVault vault, CancellationToken ct)
    {
        var priority = await session.LoadAsync<Priority>(id, ct);
        if (priority is null)
        {
            return null;
        }

        var events = await session.Events.FetchStreamAsync(id, token: ct);
        var people = events.SelectMany(e => e.Data switch
            {
                PriorityDecided d => [d.By, .. d.DecisionMakers],
                _ => WhoActed.ActingParticipant(e) is { } actor ? [actor] : Array.Empty<Guid>(),
            })
            .Append(priority.SetBy)
            .Concat(priority.Negotiation.Amendments.Select(a => a.By))
            .Distinct()
            .ToArray();
        var participants = await vault.OpenAllAsync(session, await session.LoadManyAsync<Participant>(ct, people), ct);

        return Compose(priority, events.Select(e => (e.Version, e.Data)).ToArray(), participants.ToDictionary(p => p.Id));
    }
}
