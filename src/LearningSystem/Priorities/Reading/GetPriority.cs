using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.Priorities.Reading;

public static class GetPriorityEndpoint
{
    /// <summary>The priority as it stands; its version is also the ETag, ready for If-Match on the next move.</summary>
    [WolverineGet("/api/priorities/{id}", OperationId = "getPriority"), Tags("Priorities")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<Priority?> Get(Guid id, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var priority = await session.LoadAsync<Priority>(id, ct);
        if (priority is not null)
        {
            http.Response.Headers.ETag = $"\"{priority.Version}\"";
        }

        return priority;
    }
}
