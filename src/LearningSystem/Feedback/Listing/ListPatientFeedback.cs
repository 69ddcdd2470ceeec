using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Feedback.Listing;

public static class ListPatientFeedbackEndpoint
{
    /// <summary>
    /// Feedback for one purpose: only what the patient consented to that purpose is listed. Without a
    /// purpose it is service improvement, what co-creation uses feedback for.
    /// </summary>
    [WolverineGet("/api/patient-feedback", OperationId = "listPatientFeedback"), Tags(FeedbackModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task<IReadOnlyList<PatientFeedback>> Get(
        string? service, string? purpose, int? limit, string? after, HttpContext http, IQuerySession session, PersonalDataVault vault, CancellationToken ct)
    {
        var page = Paging.Read(limit, after);
        var scope = purpose is null ? ConsentScope.ServiceImprovement : WireValues<ConsentScope>.Parse(purpose, "purpose");

        var query = session.Query<PatientFeedback>().Where(f => f.Consent.Contains(scope));
        if (!string.IsNullOrWhiteSpace(service))
        {
            query = query.Where(f => f.Service == service);
        }

        var feedback = Paging.Finish(http, await Paging.Apply(query, page, f => f.ReceivedAt, f => f.Id).ToListAsync(ct), page, f => f.ReceivedAt);
        return await vault.OpenAllAsync(session, feedback, ct);
    }
}
