using LearningSystem.Participants.Erasing;
using System.Security.Cryptography;
using System.Text;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.Feedback.Erasing;

public static class ErasePatientEndpoint
{
    /// <summary>Each patient's erasures are kept in a stream of their own, named by their keyed hash.</summary>
    public static Guid ErasureStream(string dataSubject) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes(dataSubject)).AsSpan(0, 16));

    /// <summary>
    /// Destroys the key of everything recorded under this patient reference. Asking again answers with the
    /// first erasure and appends nothing.
    /// </summary>
    [WolverinePost("/api/patient-feedback/subjects/{patientRef}/erasure", OperationId = "erasePatient"), Tags(FeedbackModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<Erasure> Post(
        string patientRef, RequestErasure command, IDocumentSession session, Peppers peppers, SubjectErasure erasing, TimeProvider clock, CancellationToken ct)
    {
        var erasure = Erasures.Decide(command, await Erasures.RequesterAsync(session, command, ct), clock.GetUtcNow());
        var subject = await peppers.PatientSubjectAsync(session, patientRef, ct);
        var outcome = await erasing.EraseAsync(session, subject, erasure, ct)
                      ?? throw Rejected.NotFound("No feedback is recorded under this patient reference.");
        if (outcome.Erased)
        {
            session.Events.Append(ErasureStream(subject),
                new PatientDataErased(subject, erasure.RequestedBy, erasure.Reason, erasure.LegalBasis, erasure.ErasedAt));
        }

        return outcome.Erasure;
    }
}
