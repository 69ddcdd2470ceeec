using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.Participants.Reading;

public static class GetParticipantEndpoint
{
    [WolverineGet("/api/participants/{id}", OperationId = "getParticipant"), Tags("Participants")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static Task<Participant?> Get(Guid id, IQuerySession session, CancellationToken ct) =>
        session.LoadAsync<Participant>(id, ct);
}
