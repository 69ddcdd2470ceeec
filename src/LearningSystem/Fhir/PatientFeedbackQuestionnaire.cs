using Hl7.Fhir.Model;
using LearningSystem.Feedback;
using LearningSystem.Http;
using LearningSystem.PersonalData;

namespace LearningSystem.Fhir;

/// <summary>
/// The Questionnaire a QuestionnaireResponse answers to be recorded as patient feedback, and the code systems of
/// its coded answers (kept in <c>docs/fhir/</c> beside the others). Each item's <c>linkId</c> is what a hospital
/// maps its own questions onto.
/// </summary>
public static class PatientFeedbackQuestionnaire
{
    public const string Id = "patient-feedback";
    public const string Url = "urn:learningsystem:questionnaire:patient-feedback";
    public const string RatingSystem = "urn:learningsystem:friends-and-family-test";
    public const string ConsentSystem = "urn:learningsystem:consent-purpose";

    public const string Service = "service";
    public const string Rating = "rating";
    public const string Comment = "comment";
    public const string Consent = "consent";

    /// <summary>The canonical references a response may name it by: its URL, or its address on this service.</summary>
    public static bool IsNamedBy(string? questionnaire) =>
        questionnaire is Url or $"Questionnaire/{Id}" || questionnaire?.EndsWith($"{FhirModule.Root}/Questionnaire/{Id}", StringComparison.Ordinal) == true;

    public static Questionnaire Build() => new()
    {
        Id = Id, Url = Url, Name = "PatientFeedback", Title = "Patient feedback", Status = PublicationStatus.Active,
        SubjectType = [ResourceType.Patient],
        Description = new Markdown("Patient feedback as LearningSystem records it: the service, a Friends and Family Test rating, a comment and what the patient consents to. Map a hospital questionnaire's questions onto these linkIds."),
        Item =
        [
            new Hl7.Fhir.Model.Questionnaire.ItemComponent { LinkId = Service, Text = "Which service is this feedback about?", Type = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType.String, Required = true },
            new Hl7.Fhir.Model.Questionnaire.ItemComponent
            {
                LinkId = Rating, Text = "Overall, how was your experience of our service?", Type = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType.Choice, Required = true,
                AnswerOption = [.. Enum.GetValues<FeedbackRating>().Select(r => new Hl7.Fhir.Model.Questionnaire.AnswerOptionComponent { Value = Coded(RatingSystem, r) })],
            },
            new Hl7.Fhir.Model.Questionnaire.ItemComponent { LinkId = Comment, Text = "Please tell us about anything that we did particularly well or could have done better.", Type = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType.Text },
            new Hl7.Fhir.Model.Questionnaire.ItemComponent
            {
                LinkId = Consent, Text = "What may your feedback be used for?", Type = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType.Choice, Required = true, Repeats = true,
                AnswerOption = [.. Enum.GetValues<ConsentScope>().Select(c => new Hl7.Fhir.Model.Questionnaire.AnswerOptionComponent { Value = Coded(ConsentSystem, c) })],
            },
        ],
    };

    public static IEnumerable<CodeSystem> CodeSystems()
    {
        yield return CodeSystemOf<FeedbackRating>(RatingSystem, "FriendsAndFamilyTest", "NHS Friends and Family Test answers",
            "The NHS Friends and Family Test's answer scale, as LearningSystem records a rating, with \"don't know\".");
        yield return CodeSystemOf<ConsentScope>(ConsentSystem, "ConsentPurpose", "LearningSystem consent purposes",
            "What a patient agreed their feedback may be used for.");
    }

    private static CodeSystem CodeSystemOf<T>(string url, string name, string title, string description) where T : struct, Enum => new()
    {
        Url = url, Name = name, Title = title, Status = PublicationStatus.Active, Description = new Markdown(description),
        Content = CodeSystemContentMode.Complete, CaseSensitive = true,
        Concept = [.. Enum.GetValues<T>().Select(v => new CodeSystem.ConceptDefinitionComponent { Code = WireValues<T>.Name(v), Display = Display(v.ToString()) })],
    };

    private static Coding Coded<T>(string system, T value) where T : struct, Enum => new(system, WireValues<T>.Name(value), Display(value.ToString()));

    // "NeitherGoodNorPoor" reads "Neither good nor poor"; "DontKnow" reads "Don't know".
    private static string Display(string name) => name == "DontKnow" ? "Don't know"
        : string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? $" {char.ToLowerInvariant(c)}" : c.ToString()));
}
