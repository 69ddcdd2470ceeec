using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.Feedback.Reading;

public static class GetPatientFeedbackEndpoint
{
    [WolverineGet("/api/patient-feedback/{id}", OperationId = "getPatientFeedback"), Tags("Patient feedback")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static Task<PatientFeedback?> Get(Guid id, IQuerySession session, CancellationToken ct) =>
        session.LoadAsync<PatientFeedback>(id, ct);
}
