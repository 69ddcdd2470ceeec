using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Participants.Reading;

public static class ListParticipantsEndpoint
{
    /// <summary>Participants, of one stakeholder group when <c>group</c> is given, in the order they registered; erased names read as erased.</summary>
    [WolverineGet("/api/participants", OperationId = "listParticipants"), Tags(ParticipantsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task<IReadOnlyList<Participant>> Get(string? group, int? limit, string? after, HttpContext http, IQuerySession session, PersonalDataVault vault, CancellationToken ct)
    {
        var query = session.Query<Participant>().AsQueryable();
        if (group is not null)
        {
            var stakeholders = WireValues<StakeholderGroup>.Parse(group, "group");
            query = query.Where(p => p.StakeholderGroup == stakeholders);
        }

        var sorting = new Sorting<Participant>(SortKey<Participant>.Date("registeredAt", session.DocumentStore.Options.DatabaseSchemaName, "registeredAt", p => p.RegisteredAt), false);
        return await vault.OpenAllAsync(session, await Listing.PageAsync(http, query, sorting, limit, after, p => p.Id, ct), ct);
    }
}
