using LearningSystem.Negotiating.Deciding;
using LearningSystem.Curriculum;
using LearningSystem.Feedback;
using LearningSystem.ServiceRedesigns;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.LearningLoop;

public sealed record UnansweredFeedback(Guid Id, string Service, FeedbackRating Rating, DateTimeOffset ReceivedAt, int DaysWaiting);

/// <summary>A redesign whose loop stopped at a step: approved but not implemented, implemented but not measured, measured but not evaluated.</summary>
public sealed record StalledRedesign(Guid Id, string Title, string Service, DateTimeOffset Since);

/// <summary>A curriculum change approved but not yet taught.</summary>
public sealed record UntaughtCurriculumChange(Guid Id, string Course, string? Module, string LearningOutcome, DateTimeOffset Since);

public sealed record OpenLoopsView(
    DateTimeOffset AsOf, int ResponseDays, IReadOnlyList<UnansweredFeedback> FeedbackWithoutResponse,
    IReadOnlyList<StalledRedesign> DecisionsWithoutImplementation, IReadOnlyList<StalledRedesign> ImplementationsWithoutOutcome,
    IReadOnlyList<StalledRedesign> OutcomesWithoutEvaluation, IReadOnlyList<UntaughtCurriculumChange> CurriculumChangesWithoutTeaching)
{
    /// <summary>The lists that hold only their oldest <see cref="OpenLoopsEndpoint.MaxItems"/> items because more are open; empty when every list is whole.</summary>
    public IReadOnlyList<string> Truncated { get; init; } = [];
}

/// <summary>"Is anyone listening?": what the loop has left unanswered for longer than it should.</summary>
public static class OpenLoopsEndpoint
{
    public const int DefaultResponseDays = 14;
    public const int MaxItems = 500;

    public static IReadOnlyList<UnansweredFeedback> Unanswered(IEnumerable<PatientFeedback> feedback, DateTimeOffset now, int responseDays) =>
        feedback
            .Where(f => f.Responses.Count == 0 && f.ReceivedAt <= now.AddDays(-responseDays))
            .OrderBy(f => f.ReceivedAt).ThenBy(f => f.Id)
            .Select(f => new UnansweredFeedback(f.Id, f.Service, f.Rating, f.ReceivedAt, (int)(now - f.ReceivedAt).TotalDays))
            .ToArray();

    public static (StalledRedesign[] NotImplemented, StalledRedesign[] NotMeasured, StalledRedesign[] NotEvaluated) Stalled(IEnumerable<ServiceRedesign> redesigns)
    {
        var decided = redesigns.Where(r => r.Decision?.Outcome == ChangeOutcome.Approved).OrderBy(r => r.ProposedAt).ThenBy(r => r.Id).ToArray();
        return (
            decided.Where(r => r.Implementations.Count == 0).Select(r => new StalledRedesign(r.Id, r.Title, r.Service, r.Decision!.At)).ToArray(),
            decided.Where(r => r.Implementations.Count > 0 && r.Outcomes.Count == 0).Select(r => new StalledRedesign(r.Id, r.Title, r.Service, r.Implementations[^1].ImplementedOn)).ToArray(),
            decided.Where(r => r.Outcomes.Count > 0 && r.Evaluations.Count == 0).Select(r => new StalledRedesign(r.Id, r.Title, r.Service, r.Outcomes[^1].PeriodEnd)).ToArray());
    }

    public static UntaughtCurriculumChange[] Untaught(IEnumerable<CurriculumChange> changes) =>
        changes.Where(c => c.Decision?.Outcome == ChangeOutcome.Approved && c.Sessions.Count == 0)
            .OrderBy(c => c.Decision!.At).ThenBy(c => c.Id)
            .Select(c => new UntaughtCurriculumChange(c.Id, c.Course, c.Module, c.LearningOutcome, c.Decision!.At))
            .ToArray();

    /// <summary><c>days</c> overrides the configured <c>LearningLoop:ResponseDays</c> (14 unless set).</summary>
    [WolverineGet("/api/open-loops", OperationId = "getOpenLoops"), Tags(LearningLoopModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task<OpenLoopsView> Get(int? days, IQuerySession session, TimeProvider clock, IConfiguration configuration, CancellationToken ct)
    {
        var responseDays = days ?? configuration.GetValue("LearningLoop:ResponseDays", DefaultResponseDays);
        if (responseDays is < 0 or > 3650)
        {
            throw Rejected.Invalid("days must be between 0 and 3650.", "days");
        }

        var now = clock.GetUtcNow();
        var cutoff = now.AddDays(-responseDays);
        // One more than shown tells whether a list was cut.
        var candidates = await session.Query<PatientFeedback>()
            .Where(f => f.ReceivedAt <= cutoff && !f.Responses.Any())
            .OrderBy(f => f.ReceivedAt).ThenBy(f => f.Id).Take(MaxItems + 1).ToListAsync(ct);
        var redesigns = await session.Query<ServiceRedesign>().Where(r => r.Decision != null && !r.Evaluations.Any())
            .OrderBy(r => r.ProposedAt).ThenBy(r => r.Id).ToListAsync(ct);
        var (notImplemented, notMeasured, notEvaluated) = Stalled(redesigns);
        var untaught = await session.Query<CurriculumChange>().Where(c => c.Decision != null && !c.Sessions.Any())
            .OrderBy(c => c.ProposedAt).ThenBy(c => c.Id).ToListAsync(ct);
        var lists = new (string Name, int Count)[]
        {
            ("feedbackWithoutResponse", candidates.Count), ("decisionsWithoutImplementation", notImplemented.Length),
            ("implementationsWithoutOutcome", notMeasured.Length), ("outcomesWithoutEvaluation", notEvaluated.Length),
            ("curriculumChangesWithoutTeaching", Untaught(untaught).Length),
        };
        return new OpenLoopsView(now, responseDays, Unanswered(candidates.Take(MaxItems), now, responseDays), notImplemented.Take(MaxItems).ToArray(),
            notMeasured.Take(MaxItems).ToArray(), notEvaluated.Take(MaxItems).ToArray(), Untaught(untaught).Take(MaxItems).ToArray())
        {
            Truncated = lists.Where(l => l.Count > MaxItems).Select(l => l.Name).ToArray(),
        };
    }
}
