using LearningSystem.Hosting;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.Feedback.Listing;

public static class ListPatientFeedbackEndpoint
{
    public const int MaxItems = 500;

    /// <summary>
    /// Feedback for one purpose: only what the patient consented to that purpose is listed. Without a
    /// purpose it is service improvement, what co-creation uses feedback for.
    /// </summary>
    [WolverineGet("/api/patient-feedback", OperationId = "listPatientFeedback"), Tags("Patient feedback")]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task<IReadOnlyList<PatientFeedback>> Get(
        string? service, string? purpose, IQuerySession session, PersonalDataVault vault, CancellationToken ct)
    {
        var scope = purpose is null ? ConsentScope.ServiceImprovement : WireValues<ConsentScope>.Parse(purpose, "purpose");

        var query = session.Query<PatientFeedback>().Where(f => f.Consent.Contains(scope));
        if (!string.IsNullOrWhiteSpace(service))
        {
            query = query.Where(f => f.Service == service);
        }

        var feedback = await query.OrderBy(f => f.ReceivedAt).Take(MaxItems).ToListAsync(ct);
        return await vault.OpenAllAsync(session, feedback, ct);
    }
}
