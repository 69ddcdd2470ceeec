using LearningSystem.Curriculum;
using LearningSystem.Negotiating;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using LearningSystem.ServiceRedesigns;

namespace LearningSystem.History;

/// <summary>What one act did: the move, who made it in which group, why, and any wording (or question) it put forward.</summary>
public sealed record ActSummary(string Move, Guid By, StakeholderGroup Group, string? Reason, string? Wording);

public static class Acts
{
    public static ActSummary? Describe(object data) => data switch
    {
        PrioritySet e => new("set", e.SetBy, e.SetByGroup, e.Rationale, e.Statement),
        ServiceRedesignProposed e => new("proposed", e.ProposedBy, e.ProposerGroup, e.Problem, e.ProposedChange),
        CurriculumChangeProposed e => new("proposed", e.ProposedBy, e.ProposerGroup, e.ProposedChange, e.LearningOutcome),
        ProposalEndorsed e => new("endorsed", e.By, e.ByGroup, e.Comment, null),
        ObjectionRaised e => new("objectionRaised", e.By, e.ByGroup, e.Reason, null),
        ObjectionWithdrawn e => new("objectionWithdrawn", e.By, e.ByGroup, e.Reason, null),
        AmendmentProposed e => new("amendmentProposed", e.By, e.ByGroup, e.Reason, e.Wording),
        AmendmentAccepted e => new("amendmentAccepted", e.By, e.ByGroup, e.Reason, null),
        AmendmentRejected e => new("amendmentRejected", e.By, e.ByGroup, e.Reason, null),
        CounterProposed e => new("counterProposed", e.By, e.ByGroup, e.Reason, null),
        PriorityMerged e => new("mergedInto", e.By, e.ByGroup, e.Reason, null),
        PriorityAbsorbed e => new("mergedFrom", e.By, e.ByGroup, e.Reason, null),
        PriorityWithdrawn e => new("withdrawn", e.By, e.ByGroup, e.Reason, null),
        PriorityDecided e => new("decided", e.By, e.ByGroup, e.Rationale, null),
        DecisionReopened e => new("reopened", e.By, e.ByGroup, e.Reason, null),
        ChangeDecided e => new("decided", e.By, e.ByGroup, e.Rationale, null),
        RoundOpened e => new("opened", e.OpenedBy, e.OpenedByGroup, e.Scope, e.Question),
        PrioritySubmitted e => new("submitted", e.By, e.ByGroup, null, null),
        InterimRankingSubmitted e => new(e.Correction ? "rankingCorrected" : "ranked", e.By, e.ByGroup, null, null),
        ShortlistAgreed e => new("shortlisted", e.By, e.ByGroup, null, null),
        WorkshopRankingRecorded e => new("workshopRanked", e.By, e.ByGroup, e.SmallGroup, null),
        RoundPublished e => new("published", e.By, e.ByGroup, null, null),
        _ => null,
    };
}
