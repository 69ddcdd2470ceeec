using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.Feedback.Reading;

public static class GetPatientFeedbackEndpoint
{
    [WolverineGet("/api/patient-feedback/{id}", OperationId = "getPatientFeedback"), Tags(FeedbackModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<PatientFeedback?> Get(Guid id, IQuerySession session, PersonalDataVault vault, CancellationToken ct) =>
        await session.LoadAsync<PatientFeedback>(id, ct) is { } feedback ? await vault.OpenAsync(session, feedback, ct) : null;
}
