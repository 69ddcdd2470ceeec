using LearningSystem.Http.Describing;

namespace LearningSystem.Fhir;

/// <summary>
/// HL7 FHIR R4 for hospital systems: what the service accepts (<c>/fhir/metadata</c>), the Questionnaire it reads
/// patient feedback from, and QuestionnaireResponses recorded as patient feedback. Built with Firely's model.
/// </summary>
[ApiTag(Tag, "HL7 FHIR R4 for hospital systems: the capability statement, the patient-feedback Questionnaire, and QuestionnaireResponses recorded as patient feedback.")]
public static class FhirModule
{
    public const string Tag = "FHIR";
    public const string MediaType = "application/fhir+json";
    public const string Root = "/fhir";
}
