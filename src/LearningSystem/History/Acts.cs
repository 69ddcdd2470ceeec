using LearningSystem.Curriculum;
using LearningSystem.Negotiating;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using LearningSystem.ServiceRedesigns;

namespace LearningSystem.History;

/// <summary>What one act did: the move, who made it in which group, why, and any wording (or question) it put forward.</summary>
public sealed record ActSummary(string Move, Guid By, StakeholderGroup Group, string? Reason, string? Wording, DateTimeOffset At);

public static class Acts
{
    /// <summary>Every event <see cref="Describe"/> knows, in the order a negotiation meets them: the codes of the FHIR event-type code system.</summary>
    public static IReadOnlyList<Type> Types { get; } =
    [
        typeof(PrioritySet), typeof(ServiceRedesignProposed), typeof(CurriculumChangeProposed), typeof(ProposalEndorsed), typeof(ObjectionRaised),
        typeof(ObjectionWithdrawn), typeof(AmendmentProposed), typeof(AmendmentAccepted), typeof(AmendmentRejected), typeof(CounterProposed),
        typeof(PriorityMerged), typeof(PriorityAbsorbed), typeof(PriorityWithdrawn), typeof(PriorityDecided), typeof(DecisionReopened),
        typeof(ChangeDecided), typeof(RoundOpened), typeof(PrioritySubmitted), typeof(InterimRankingSubmitted), typeof(ShortlistAgreed),
        typeof(WorkshopRankingRecorded), typeof(RoundPublished),
    ];

    public static ActSummary? Describe(object data) => data switch
    {
        PrioritySet e => new("set", e.SetBy, e.SetByGroup, e.Rationale, e.Statement, e.SetAt),
        ServiceRedesignProposed e => new("proposed", e.ProposedBy, e.ProposerGroup, e.Problem, e.ProposedChange, e.ProposedAt),
        CurriculumChangeProposed e => new("proposed", e.ProposedBy, e.ProposerGroup, e.ProposedChange, e.LearningOutcome, e.ProposedAt),
        ProposalEndorsed e => new("endorsed", e.By, e.ByGroup, e.Comment, null, e.At),
        ObjectionRaised e => new("objectionRaised", e.By, e.ByGroup, e.Reason, null, e.At),
        ObjectionWithdrawn e => new("objectionWithdrawn", e.By, e.ByGroup, e.Reason, null, e.At),
        AmendmentProposed e => new("amendmentProposed", e.By, e.ByGroup, e.Reason, e.Wording, e.At),
        AmendmentAccepted e => new("amendmentAccepted", e.By, e.ByGroup, e.Reason, null, e.At),
        AmendmentRejected e => new("amendmentRejected", e.By, e.ByGroup, e.Reason, null, e.At),
        CounterProposed e => new("counterProposed", e.By, e.ByGroup, e.Reason, null, e.At),
        PriorityMerged e => new("mergedInto", e.By, e.ByGroup, e.Reason, null, e.At),
        PriorityAbsorbed e => new("mergedFrom", e.By, e.ByGroup, e.Reason, null, e.At),
        PriorityWithdrawn e => new("withdrawn", e.By, e.ByGroup, e.Reason, null, e.At),
        PriorityDecided e => new("decided", e.By, e.ByGroup, e.Rationale, null, e.At),
        DecisionReopened e => new("reopened", e.By, e.ByGroup, e.Reason, null, e.At),
        ChangeDecided e => new("decided", e.By, e.ByGroup, e.Rationale, null, e.At),
        RoundOpened e => new("opened", e.OpenedBy, e.OpenedByGroup, e.Scope, e.Question, e.At),
        PrioritySubmitted e => new("submitted", e.By, e.ByGroup, null, null, e.At),
        InterimRankingSubmitted e => new(e.Correction ? "rankingCorrected" : "ranked", e.By, e.ByGroup, null, null, e.At),
        ShortlistAgreed e => new("shortlisted", e.By, e.ByGroup, null, null, e.At),
        WorkshopRankingRecorded e => new("workshopRanked", e.By, e.ByGroup, e.SmallGroup, null, e.At),
        RoundPublished e => new("published", e.By, e.ByGroup, null, null, e.At),
        _ => null,
    };
}
