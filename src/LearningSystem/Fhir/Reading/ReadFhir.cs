using Hl7.Fhir.Model;
using LearningSystem.Feedback;
using LearningSystem.Feedback.Reading;
using LearningSystem.Http;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Task = System.Threading.Tasks.Task;

namespace LearningSystem.Fhir.Reading;

public static class ReadFhirEndpoints
{
    /// <summary>
    /// What this server accepts, in which format, and how to authenticate. <c>_summary</c>, which FHIR clients send
    /// when they check the server's FHIR version, is accepted; the statement is short enough to answer whole.
    /// </summary>
    [WolverineGet("/fhir/metadata", OperationId = "getFhirCapabilities"), Tags(FhirModule.Tag)]
    [ProducesResponseType<FhirResourceJson>(200, FhirModule.MediaType)]
    public static IResult Capabilities([FromQuery(Name = "_summary")] string? summary, HttpContext http) =>
        FhirAnswers.Resource(CapabilityStatements.Of($"{http.Request.Scheme}://{http.Request.Host}{FhirModule.Root}"));

    /// <summary>The Questionnaire a QuestionnaireResponse answers to be recorded as patient feedback.</summary>
    [WolverineGet("/fhir/Questionnaire/patient-feedback", OperationId = "getFhirPatientFeedbackQuestionnaire"), Tags(FhirModule.Tag)]
    [ProducesResponseType<FhirResourceJson>(200, FhirModule.MediaType)]
    public static IResult Questionnaire() => FhirAnswers.Resource(PatientFeedbackQuestionnaire.Build());

    /// <summary>Recorded patient feedback as a QuestionnaireResponse: its text opened, or <c>[erased]</c> after erasure.</summary>
    [WolverineGet("/fhir/QuestionnaireResponse/{id}", OperationId = "getFhirQuestionnaireResponse"), Tags(FhirModule.Tag)]
    [ProducesResponseType<FhirResourceJson>(200, FhirModule.MediaType)]
    [ProducesResponseType<FhirResourceJson>(404, FhirModule.MediaType)]
    public static async Task<IResult> Response(Guid id, IQuerySession session, PersonalDataVault vault, CancellationToken ct) =>
        await GetPatientFeedbackEndpoint.Get(id, session, vault, ct) is { } feedback
            ? FhirAnswers.Resource(QuestionnaireResponses.Of(feedback))
            : FhirAnswers.Resource(FhirAnswers.Outcome(OperationOutcome.IssueSeverity.Error, OperationOutcome.IssueType.NotFound,
                $"No patient feedback {id} is recorded in this organisation."), StatusCodes.Status404NotFound);
}

/// <summary>Patient feedback as the QuestionnaireResponse that would record it.</summary>
public static class QuestionnaireResponses
{
    public static QuestionnaireResponse Of(PatientFeedback feedback)
    {
        var items = new List<QuestionnaireResponse.ItemComponent>
        {
            Answered(PatientFeedbackQuestionnaire.Service, new FhirString(feedback.Service)),
            Answered(PatientFeedbackQuestionnaire.Rating, new Coding(PatientFeedbackQuestionnaire.RatingSystem, WireValues<FeedbackRating>.Name(feedback.Rating))),
        };
        if (feedback.Comment.Length > 0)
        {
            items.Add(Answered(PatientFeedbackQuestionnaire.Comment, new FhirString(feedback.Comment)));
        }

        items.Add(Answered(PatientFeedbackQuestionnaire.Consent,
            [.. feedback.Consent.Select(c => (DataType)new Coding(PatientFeedbackQuestionnaire.ConsentSystem, WireValues<ConsentScope>.Name(c)))]));
        return new QuestionnaireResponse
        {
            Id = feedback.Id.ToString(),
            Meta = new Meta { VersionId = feedback.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            Questionnaire = PatientFeedbackQuestionnaire.Url,
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Subject = SubjectOf(feedback.PatientRef),
            Authored = feedback.ReceivedAt.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFK", System.Globalization.CultureInfo.InvariantCulture),
            Source = new ResourceReference { Display = feedback.Source },
            Item = items,
        };
    }

    // A patient reference as it was sent (a literal reference or system|value), unless erased.
    private static ResourceReference? SubjectOf(string? patientRef) => patientRef switch
    {
        null or SealedValue.ErasedMarker => null,
        _ when patientRef.Split('|') is [var system, var value] => new ResourceReference { Type = "Patient", Identifier = new Identifier(system.Length > 0 ? system : null, value) },
        _ => new ResourceReference(patientRef),
    };

    private static QuestionnaireResponse.ItemComponent Answered(string linkId, params DataType[] values) => new()
    {
        LinkId = linkId,
        Answer = [.. values.Select(v => new QuestionnaireResponse.AnswerComponent { Value = v })],
    };
}
