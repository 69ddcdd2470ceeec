using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.Participants.Reading;

public static class GetParticipantEndpoint
{
    [WolverineGet("/api/participants/{id}", OperationId = "getParticipant"), Tags(ParticipantsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<Participant?> Get(Guid id, IQuerySession session, PersonalDataVault vault, CancellationToken ct) =>
        await session.LoadAsync<Participant>(id, ct) is { } participant ? await vault.OpenAsync(session, participant, ct) : null;
}
