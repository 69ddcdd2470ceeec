using Hl7.Fhir.Model;

namespace LearningSystem.Fhir;

/// <summary>What this FHIR server does: read the Questionnaire, create (also conditionally) and read QuestionnaireResponses.</summary>
public static class CapabilityStatements
{
    /// <summary>When what the statement says last changed.</summary>
    public const string Date = "2026-12-07";

    public static CapabilityStatement Of(string baseUrl) => new()
    {
        Name = "LearningSystemFhir",
        Title = "LearningSystem FHIR server",
        Status = PublicationStatus.Active,
        Date = Date,
        Kind = CapabilityStatementKind.Instance,
        Software = new CapabilityStatement.SoftwareComponent { Name = "LearningSystem" },
        Implementation = new CapabilityStatement.ImplementationComponent { Description = "LearningSystem: patient feedback for a co-creating learning health system", Url = baseUrl },
        FhirVersion = FHIRVersion.N4_0_1,
        Format = [FhirModule.MediaType],
        Rest =
        [
            new CapabilityStatement.RestComponent
            {
                Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                Security = new CapabilityStatement.SecurityComponent
                {
                    Description = new Markdown(
                        "Send an API key in X-Api-Key, or a bearer token from the configured issuer (OAuth2 client credentials). " +
                        "Reading needs the scope 'read' (a QuestionnaireResponse: 'feedback:read'); creating needs 'feedback:write'. " +
                        "A client that may act for several organisations names one in X-Organisation."),
                },
                Resource =
                [
                    new CapabilityStatement.ResourceComponent
                    {
                        Type = "Questionnaire",
                        Interaction = [new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.Read }],
                    },
                    new CapabilityStatement.ResourceComponent
                    {
                        Type = "QuestionnaireResponse",
                        Documentation = new Markdown($"Completed responses to {PatientFeedbackQuestionnaire.Url} are recorded as patient feedback. Conditional create takes identifier=system|value."),
                        Interaction =
                        [
                            new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.Create },
                            new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.Read },
                        ],
                        ConditionalCreate = true,
                    },
                ],
            },
        ],
    };
}
