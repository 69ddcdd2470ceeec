using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Priorities.Reading;

public static class GetPriorityEndpoint
{
    /// <summary>
    /// The priority as it stands; its version is also the ETag, ready for If-Match on the next move. With
    /// <c>asOf</c> (a time) or <c>version</c>, the priority exactly as it stood then.
    /// </summary>
    [WolverineGet("/api/priorities/{id}", OperationId = "getPriority"), Tags(PrioritiesModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<Priority?> Get(Guid id, DateTimeOffset? asOf, long? version, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var priority = await AsOf.LoadAsync<Priority>(session, id, asOf, version, ct);
        if (priority is not null && !AsOf.Asked(asOf, version))
        {
            http.Response.Headers.ETag = $"\"{priority.Version}\"";
        }

        return priority;
    }
}
