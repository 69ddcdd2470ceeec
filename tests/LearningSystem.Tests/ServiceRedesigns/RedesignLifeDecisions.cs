using LearningSystem.Negotiating.Deciding;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.ServiceRedesigns;
using LearningSystem.ServiceRedesigns.Evaluating;
using LearningSystem.ServiceRedesigns.Implementing;
using LearningSystem.ServiceRedesigns.Measuring;

using static LearningSystem.Tests.GivenWhenThen;

namespace LearningSystem.Tests.ServiceRedesigns;

/// <summary>A redesign's life after its proposal: decided against agreed priorities, implemented, measured, evaluated.</summary>
public sealed class RedesignLifeDecisions
{
    private static readonly DateTimeOffset Now = TestClock.Start;
    private static readonly Actor Brown = new(Guid.Parse("90000000-0000-4000-8000-0000000000a1"), StakeholderGroup.Manager);
    private static readonly Guid RedesignId = Guid.Parse("90000000-0000-4000-8000-0000000000d1");
    private static readonly Guid PriorityId = Guid.Parse("90000000-0000-4000-8000-0000000000b1");

    private static readonly ServiceRedesign Proposed = ServiceRedesign.Create(new ServiceRedesignProposed(
        RedesignId, "Texts", "Waits", "Text when late", "Clinic", Brown.Id, Brown.Group, [], Now));

    private static Priority PriorityDecided(DecisionOutcome outcome) => Priority.Apply(
        new LearningSystem.Priorities.PriorityDecided(PriorityId, outcome, "Agreed", [Brown.Id], [], [], Brown.Id, Brown.Group, Now, Guid.NewGuid()),
        Priority.Create(new PrioritySet(PriorityId, "Tell patients", "Why", Brown.Id, Brown.Group, [], [], null, Now)));

    private static DecideChange Approve(params Guid[] priorities) => new(Brown.Id, "approved", "Serves the agreed priority", priorities, [Brown.Id], null, null, 1);

    private static ServiceRedesign Approved() =>
        ServiceRedesign.Apply(DecideChangeEndpoint.Decide(Proposed, Approve(PriorityId), Brown, [PriorityDecided(DecisionOutcome.Agreed)], [Brown.Id], [], Now, Guid.NewGuid()), Proposed)!;

    private static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    private static MeasureOutcome Waits => new(Brown.Id, null, "Median wait", 95, 40, "minutes", Start, Start.AddMonths(1), "Clinic system");

    [Fact]
    public void When_approving_on_an_agreed_priority_then_the_decision_links_to_it() =>
        Assert.Equal([PriorityId], Approved().Decision!.BasedOnPriorities);

    [Fact]
    public void When_approving_on_a_priority_that_was_not_agreed_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => DecideChangeEndpoint.Decide(Proposed, Approve(PriorityId), Brown, [PriorityDecided(DecisionOutcome.Rejected)], [Brown.Id], [], Now, Guid.NewGuid()));

    [Fact]
    public void When_approving_without_any_priority_then_it_is_invalid() =>
        ThenRejected(RejectionKind.Invalid, () => DecideChangeEndpoint.Decide(Proposed, Approve(), Brown, [], [Brown.Id], [], Now, Guid.NewGuid()));

    [Fact]
    public void When_deciding_twice_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => DecideChangeEndpoint.Decide(Approved(), Approve(PriorityId), Brown, [PriorityDecided(DecisionOutcome.Agreed)], [Brown.Id], [], Now, Guid.NewGuid()));

    [Fact]
    public void When_implementing_before_approval_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => ImplementChangeEndpoint.Decide(Proposed, new ImplementChange(Brown.Id, "Texts sent", Now), Brown, Guid.Empty, Now));

    [Fact]
    public void When_measuring_before_implementation_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => MeasureOutcomeEndpoint.Decide(Approved(), Waits, Brown, Guid.Empty, Now));

    [Fact]
    public void Given_the_whole_life_each_step_links_to_the_one_before()
    {
        var implementationId = Guid.NewGuid();
        var implemented = ServiceRedesign.Apply(ImplementChangeEndpoint.Decide(Approved(), new ImplementChange(Brown.Id, "Texts sent", Now), Brown, implementationId, Now), Approved());
        var measured = MeasureOutcomeEndpoint.Decide(implemented, Waits, Brown, Guid.NewGuid(), Now);
        Assert.Equal(implementationId, measured.ImplementationId);

        var withOutcome = ServiceRedesign.Apply(measured, implemented);
        var evaluated = EvaluateChangeEndpoint.Decide(withOutcome, new EvaluateChange(Brown.Id, "Waits halved", null), Brown, Guid.NewGuid(), Now);

        Assert.Equal([measured.MeasurementId], evaluated.Measurements);
        ThenRejected(RejectionKind.NotFound, () => EvaluateChangeEndpoint.Decide(withOutcome, new EvaluateChange(Brown.Id, "x", [Guid.NewGuid()]), Brown, Guid.Empty, Now));
    }

    [Fact]
    public void When_evaluating_before_any_outcome_then_it_is_a_conflict() =>
        ThenRejected(RejectionKind.Conflict, () => EvaluateChangeEndpoint.Decide(Approved(), new EvaluateChange(Brown.Id, "x", null), Brown, Guid.Empty, Now));
}
