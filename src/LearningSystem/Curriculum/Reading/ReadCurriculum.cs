using LearningSystem.Curriculum.Reflecting;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Curriculum.Reading;

public static class ReadCurriculumEndpoints
{

    /// <summary>The change as it stands (its version is also the ETag), or as it stood at <c>asOf</c> or <c>version</c>.</summary>
    [WolverineGet("/api/curriculum-changes/{id}", OperationId = "getCurriculumChange"), Tags(CurriculumModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<CurriculumChange?> Get(Guid id, DateTimeOffset? asOf, long? version, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var change = await AsOf.LoadAsync<CurriculumChange>(session, id, asOf, version, ct);
        if (change is not null && !AsOf.Asked(asOf, version))
        {
            http.Response.Headers.ETag = $"\"{change.Version}\"";
        }

        return change;
    }

    /// <summary>Reflections on a change, oldest first, optionally by one participant or on one session; erased authors' words read as erased.</summary>
    [WolverineGet("/api/curriculum-changes/{id}/reflections", OperationId = "listReflections"), Tags(CurriculumModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IReadOnlyList<Reflection>?> Reflections(
        Guid id, Guid? by, Guid? sessionId, int? limit, string? after, HttpContext http, IQuerySession session, PersonalDataVault vault, CancellationToken ct)
    {
        var page = Paging.Read(limit, after);
        if (await session.LoadAsync<CurriculumChange>(id, ct) is null)
        {
            return null;
        }

        var query = session.Query<Reflection>().Where(r => r.CurriculumChangeId == id);
        if (by is { } author)
        {
            query = query.Where(r => r.By == author);
        }

        if (sessionId is { } taught)
        {
            query = query.Where(r => r.SessionId == taught);
        }

        var reflections = Paging.Finish(http, await Paging.Apply(query, page, r => r.RecordedAt, r => r.Id).ToListAsync(ct), page, r => r.RecordedAt);
        return await vault.OpenAllAsync(session, reflections, ct);
    }

    [WolverineGet("/api/reflections/{id}", OperationId = "getReflection"), Tags(CurriculumModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<Reflection?> Reflection(Guid id, IQuerySession session, PersonalDataVault vault, CancellationToken ct) =>
        await session.LoadAsync<Reflection>(id, ct) is { } reflection ? await vault.OpenAsync(session, reflection, ct) : null;
}
