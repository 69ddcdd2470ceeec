using LearningSystem.Participants;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Lessons.Reading;

public static class ListLessonsEndpoint
{
    /// <summary>Lessons per service, per course, per stakeholder group, or about one item; filters combine.</summary>
    [WolverineGet("/api/lessons", OperationId = "listLessons"), Tags(LearningLoop.LearningLoopModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task<IReadOnlyList<Lesson>> Get(
        string? service, string? course, string? group, Guid? about, int? limit, string? after, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var page = Paging.Read(limit, after);
        var query = session.Query<Lesson>().AsQueryable();
        if (service is not null)
        {
            query = query.Where(l => l.Service == service);
        }

        if (course is not null)
        {
            query = query.Where(l => l.Course == course);
        }

        if (group is not null)
        {
            var byGroup = WireValues<StakeholderGroup>.Parse(group, "group");
            query = query.Where(l => l.ByGroup == byGroup);
        }

        if (about is { } item)
        {
            query = query.Where(l => l.About == item);
        }

        return Paging.Finish(http, await Paging.Apply(query, page, l => l.RecordedAt, l => l.Id).ToListAsync(ct), page, l => l.RecordedAt);
    }

    [WolverineGet("/api/lessons/{id}", OperationId = "getLesson"), Tags(LearningLoop.LearningLoopModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static Task<Lesson?> GetOne(Guid id, IQuerySession session, CancellationToken ct) => session.LoadAsync<Lesson>(id, ct);
}
