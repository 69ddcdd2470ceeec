using LearningSystem.Feedback;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.LearningLoop;

public sealed record UnansweredFeedback(Guid Id, string Service, FeedbackRating Rating, DateTimeOffset ReceivedAt, int DaysWaiting);

public sealed record OpenLoopsView(DateTimeOffset AsOf, int ResponseDays, IReadOnlyList<UnansweredFeedback> FeedbackWithoutResponse);

/// <summary>"Is anyone listening?": what the loop has left unanswered for longer than it should.</summary>
public static class OpenLoopsEndpoint
{
    public const int DefaultResponseDays = 14;
    public const int MaxItems = 500;

    public static IReadOnlyList<UnansweredFeedback> Unanswered(IEnumerable<PatientFeedback> feedback, DateTimeOffset now, int responseDays) =>
        feedback
            .Where(f => f.Responses.Count == 0 && f.ReceivedAt <= now.AddDays(-responseDays))
            .OrderBy(f => f.ReceivedAt)
            .Select(f => new UnansweredFeedback(f.Id, f.Service, f.Rating, f.ReceivedAt, (int)(now - f.ReceivedAt).TotalDays))
            .ToArray();

    /// <summary><c>days</c> overrides the configured <c>LearningLoop:ResponseDays</c> (14 unless set).</summary>
    [WolverineGet("/api/open-loops", OperationId = "getOpenLoops"), Tags("Learning loop")]
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
        var candidates = await session.Query<PatientFeedback>()
            .Where(f => f.ReceivedAt <= cutoff && !f.Responses.Any())
            .OrderBy(f => f.ReceivedAt).Take(MaxItems).ToListAsync(ct);
        return new OpenLoopsView(now, responseDays, Unanswered(candidates, now, responseDays));
    }
}
