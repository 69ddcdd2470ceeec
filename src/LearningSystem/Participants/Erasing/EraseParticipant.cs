using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.Participants.Erasing;

public static class EraseParticipantEndpoint
{
    /// <summary>
    /// Destroys the participant's key: their name reads as erased everywhere, while every event stays.
    /// Asking again answers with the first erasure and appends nothing.
    /// </summary>
    [WolverinePost("/api/participants/{id}/erasure", OperationId = "eraseParticipant"), Tags(ParticipantsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<Erasure> Post(
        Guid id, RequestErasure command, IDocumentSession session, SubjectErasure erasing, TimeProvider clock, CancellationToken ct)
    {
        var participant = await session.Events.FetchForWriting<Participant>(id, ct);
        if (participant.Aggregate is null)
        {
            throw Rejected.NotFound($"No participant {id} is registered.");
        }

        var erasure = Erasures.Decide(command, await Erasures.RequesterAsync(session, command, ct), clock.GetUtcNow());
        var outcome = await erasing.EraseAsync(session, DataSubjects.Participant(id), erasure, ct)
                      ?? throw Rejected.NotFound($"Participant {id} holds no personal data here.");
        if (outcome.Erased)
        {
            participant.AppendOne(new ParticipantErased(id, erasure.RequestedBy, erasure.Reason, erasure.LegalBasis, erasure.ErasedAt));
        }

        return outcome.Erasure;
    }
}
