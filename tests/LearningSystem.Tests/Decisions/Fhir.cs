using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;
using LearningSystem.Decisions.Exporting;

namespace LearningSystem.Tests.Decisions;

/// <summary>
/// Firely's profile validator over the R4 specification, knowing our code systems as an auditor's validator
/// would once given <c>docs/fhir/</c>. Building it reads the specification, so it is made once.
/// </summary>
internal static class Fhir
{
    public static readonly Lazy<Validator> Validator = new(() =>
    {
        var resolver = new CachedResolver(new MultiResolver(
            ZipSource.CreateValidationSource(Path.Combine(AppContext.BaseDirectory, "specification.zip")),
            new InMemoryResourceResolver([.. FhirBundle.CodeSystems(), .. LearningSystem.Fhir.PatientFeedbackQuestionnaire.CodeSystems(), LearningSystem.Fhir.PatientFeedbackQuestionnaire.Build()])));
        return new Validator(resolver, LocalTerminologyService.CreateDefaultForCore(resolver));
    });

    /// <summary>Every error and warning, as "severity location: message"; information is left out.</summary>
    public static string[] Problems(OperationOutcome outcome) =>
    [
        .. outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal or OperationOutcome.IssueSeverity.Warning)
            .Select(i => $"{i.Severity} {string.Join(",", i.Expression)}: {i.Details?.Text}"),
    ];
}
