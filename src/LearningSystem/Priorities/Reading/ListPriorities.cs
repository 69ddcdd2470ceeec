using LearningSystem.Participants;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Priorities.Reading;

/// <summary>Who set which priorities: by stakeholder group, or by participant.</summary>
public static class ListPrioritiesEndpoint
{
    [WolverineGet("/api/priorities", OperationId = "listPriorities"), Tags(PrioritiesModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task<IReadOnlyList<Priority>> Get(
        string? setByGroup, Guid? roundId, int? limit, string? after, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var page = Paging.Read(limit, after);
        var query = session.Query<Priority>().AsQueryable();
        if (roundId is { } round)
        {
            query = query.Where(p => p.RoundId == round);
        }

        if (setByGroup is not null)
        {
            var group = WireValues<StakeholderGroup>.Parse(setByGroup, "setByGroup");
            query = query.Where(p => p.SetByGroup == group);
        }

        return Paging.Finish(http, await Paging.Apply(query, page, p => p.SetAt, p => p.Id).ToListAsync(ct), page, p => p.SetAt);
    }

    [WolverineGet("/api/participants/{id}/priorities", OperationId = "listPrioritiesSetByParticipant"), Tags(PrioritiesModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IReadOnlyList<Priority>> GetByParticipant(Guid id, int? limit, string? after, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var page = Paging.Read(limit, after);
        _ = await session.LoadAsync<Participant>(id, ct) ?? throw Rejected.NotFound($"No participant {id} is registered.");
        var query = session.Query<Priority>().Where(p => p.SetBy == id);
        return Paging.Finish(http, await Paging.Apply(query, page, p => p.SetAt, p => p.Id).ToListAsync(ct), page, p => p.SetAt);
    }
}
