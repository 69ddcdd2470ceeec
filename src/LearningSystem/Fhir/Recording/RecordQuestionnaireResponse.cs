using System.Security.Cryptography;
using System.Text;
using FluentValidation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using JasperFx.Events;
using LearningSystem.Feedback;
using LearningSystem.Feedback.Recording;
using LearningSystem.Http;
using LearningSystem.Http.Idempotency;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Task = System.Threading.Tasks.Task;

namespace LearningSystem.Fhir.Recording;

/// <summary>
/// <c>POST /fhir/QuestionnaireResponse</c>: a completed response to the patient-feedback Questionnaire, recorded
/// as the JSON command records patient feedback (the same event, sealed under the same patient's key). With
/// <c>If-None-Exist: identifier=system|value</c> it is a conditional create: the same identifier is recorded once,
/// and sending it again answers 200 with the feedback first recorded.
/// </summary>
public static class RecordQuestionnaireResponseEndpoint
{
    private const string Resource = "QuestionnaireResponse";

    /// <summary>What the response's answers say, as the JSON command would say it.</summary>
    public static RecordPatientFeedback Map(QuestionnaireResponse response)
    {
        if (!PatientFeedbackQuestionnaire.IsNamedBy(response.Questionnaire))
        {
            throw new FhirRefused(OperationOutcome.IssueType.NotSupported, $"{Resource}.questionnaire",
                $"Only responses to {PatientFeedbackQuestionnaire.Url} are recorded, not to '{response.Questionnaire}'.");
        }

        if (response.Status is not (QuestionnaireResponse.QuestionnaireResponseStatus.Completed or QuestionnaireResponse.QuestionnaireResponseStatus.Amended))
        {
            throw new FhirRefused(OperationOutcome.IssueType.BusinessRule, $"{Resource}.status", "Only a completed (or amended) response is recorded.");
        }

        var items = Flatten(response.Item).ToLookup(i => i.LinkId ?? "");
        return new RecordPatientFeedback(
            Service: Text(items, PatientFeedbackQuestionnaire.Service) ?? throw Missing(PatientFeedbackQuestionnaire.Service),
            Source: SourceOf(response),
            ReceivedAt: response.AuthoredElement?.TryToDateTimeOffset(out var authored) == true
                ? authored
                : throw new FhirRefused(OperationOutcome.IssueType.Required, $"{Resource}.authored", "authored, when the patient gave the feedback, is required."),
            Rating: Codes(items, PatientFeedbackQuestionnaire.Rating, PatientFeedbackQuestionnaire.RatingSystem) switch
            {
                [] => throw Missing(PatientFeedbackQuestionnaire.Rating),
                [var rating] => rating,
                _ => throw new FhirRefused(OperationOutcome.IssueType.Invalid, Item(PatientFeedbackQuestionnaire.Rating), "Give one rating, not several."),
            },
            Comment: Text(items, PatientFeedbackQuestionnaire.Comment) ?? "",
            PatientRef: PatientOf(response.Subject),
            Consent: Codes(items, PatientFeedbackQuestionnaire.Consent, PatientFeedbackQuestionnaire.ConsentSystem) is { Count: > 0 } consent ? consent : throw Missing(PatientFeedbackQuestionnaire.Consent));
    }

    [WolverinePost("/fhir/QuestionnaireResponse", OperationId = "createFhirQuestionnaireResponse"), Tags(FhirModule.Tag)]
    [Consumes(typeof(FhirResourceJson), FhirModule.MediaType, "application/json")]
    [ProducesResponseType<FhirResourceJson>(201, FhirModule.MediaType)]
    [ProducesResponseType<FhirResourceJson>(200, FhirModule.MediaType)]
    [ProducesResponseType<FhirResourceJson>(400, FhirModule.MediaType)]
    public static async Task<IResult> Post(
        HttpContext http, IDocumentSession session, PersonalDataVault vault, Peppers peppers, IValidator<RecordPatientFeedback> validator,
        TimeProvider clock, CancellationToken ct)
    {
        try
        {
            var response = await FhirAnswers.ReadAsync<QuestionnaireResponse>(http.Request, ct);
            // The answer is made before the commit too, so that an Idempotency-Key's answer is stored in the same transaction.
            var (id, created) = await RecordAsync(response, http.Request.Headers["If-None-Exist"].ToString(), session, vault, peppers, validator, clock, ct,
                beforeCommit: id => Recorded(http, id, created: true));
            return Recorded(http, id, created);
        }
        catch (FhirRefused refused)
        {
            return FhirAnswers.Refusal(refused);
        }
    }

    /// <summary>
    /// Records one response in <paramref name="session"/>'s transaction, committing it; answers the feedback's id, and
    /// whether it was created now (false: a conditional create found it recorded before). Refusals are <see cref="FhirRefused"/>.
    /// <paramref name="beforeCommit"/> runs just before the commit, so that an answer can join the transaction.
    /// </summary>
    public static async Task<(Guid Id, bool Created)> RecordAsync(
        QuestionnaireResponse response, string? condition, IDocumentSession session, PersonalDataVault vault, Peppers peppers,
        IValidator<RecordPatientFeedback> validator, TimeProvider clock, CancellationToken ct, Action<Guid>? beforeCommit = null)
    {
        var command = Map(response);
        await EnsureValidAsync(command, validator, ct);
        // Only a conditional create can name feedback recorded before; a new id needs no look.
        var conditional = IdFor(condition, session.TenantId);
        var id = conditional ?? Guid.CreateVersion7();
        if (conditional is not null && await session.Events.FetchStreamStateAsync(id, ct) is not null)
        {
            return (id, false);
        }

        var anonymous = string.IsNullOrWhiteSpace(command.PatientRef);
        var subject = anonymous ? DataSubjects.AnonymousFeedback(id) : await peppers.PatientSubjectAsync(session, command.PatientRef!, ct);
        PatientFeedbackRecorded decided;
        try
        {
            decided = RecordPatientFeedbackEndpoint.Decide(id, subject, command, clock.GetUtcNow());
        }
        catch (Rejected rejected)
        {
            throw new FhirRefused(OperationOutcome.IssueType.Invalid, ExpressionFor(rejected.Field), rejected.Message);
        }

        var recorded = anonymous ? await vault.SealForNewSubjectAsync(session, decided, ct) : await vault.SealAsync(session, decided, ct);
        session.Events.StartStream<PatientFeedback>(id, recorded);
        beforeCommit?.Invoke(id);

        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (ExistingStreamIdCollisionException)
        {
            // The same identifier, recorded by a request that committed first; nothing of this one is kept.
            session.EjectAllPendingChanges();
            return (id, false);
        }

        return (id, true);
    }

    /// <summary>The feedback's id under a conditional create: the same organisation and identifier make the same id.</summary>
    private static Guid? IdFor(string? condition, string organisation)
    {
        if (string.IsNullOrEmpty(condition))
        {
            return null;
        }

        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(condition.StartsWith('?') ? condition : $"?{condition}");
        if (query.Count != 1 || !query.TryGetValue("identifier", out var identifier) || identifier.Count != 1 || identifier[0]!.Split('|') is not [{ Length: > 0 }, { Length: > 0 }])
        {
            throw new FhirRefused(OperationOutcome.IssueType.NotSupported, "If-None-Exist",
                "Only identifier=system|value is supported as the condition of a conditional create.");
        }

        return new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{organisation}\n{identifier[0]}")).AsSpan(0, 16));
    }

    /// <summary>
    /// 201 (or 200 when it was recorded before) with the feedback's address and an OperationOutcome naming its id.
    /// The response itself is never echoed: answers are kept for idempotency, and hold no personal text.
    /// </summary>
    private static IResult Recorded(HttpContext http, Guid id, bool created)
    {
        var status = created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        var outcome = FhirAnswers.Outcome(OperationOutcome.IssueSeverity.Information, OperationOutcome.IssueType.Informational,
            created ? $"Recorded as patient feedback {id}." : $"Already recorded as patient feedback {id}; nothing was added.");
        http.Response.StatusCode = status;
        http.Response.Headers.Location = $"{FhirModule.Root}/{Resource}/{id}";
        http.Response.Headers.ETag = "W/\"1\"";
        var minimal = http.Request.Headers["Prefer"].ToString().Contains("return=minimal", StringComparison.Ordinal);
        var body = minimal ? "" : outcome.ToJson();
        IdempotencyKey.Remember(http, new WrittenAnswer(FhirModule.MediaType, body));
        return minimal ? Results.StatusCode(status) : Results.Text(body, FhirModule.MediaType, Encoding.UTF8, status);
    }

    private static async Task EnsureValidAsync(RecordPatientFeedback command, IValidator<RecordPatientFeedback> validator, CancellationToken ct)
    {
        if (CommandInput.Faults(command).FirstOrDefault() is { Key: { } field, Value: { } fault })
        {
            throw new FhirRefused(OperationOutcome.IssueType.Value, ExpressionFor(field), fault);
        }

        if ((await validator.ValidateAsync(command, ct)).Errors.FirstOrDefault() is { } error)
        {
            throw new FhirRefused(error.ErrorCode == "NotEmptyValidator" ? OperationOutcome.IssueType.Required : OperationOutcome.IssueType.Invalid,
                ExpressionFor(error.PropertyName), error.ErrorMessage);
        }
    }

    /// <summary>Where in the response a field of the command came from.</summary>
    private static string ExpressionFor(string? field) => field?.Split('[')[0].ToLowerInvariant() switch
    {
        "service" or "rating" or "comment" or "consent" => Item(field.Split('[')[0].ToLowerInvariant()),
        "source" => $"{Resource}.source",
        "receivedat" => $"{Resource}.authored",
        "patientref" => $"{Resource}.subject",
        _ => Resource,
    };

    private static string Item(string linkId) => $"{Resource}.item.where(linkId='{linkId}').answer.value";

    private static FhirRefused Missing(string linkId) =>
        new(OperationOutcome.IssueType.Required, Item(linkId), $"The answer to '{linkId}' is required.");

    private static IEnumerable<QuestionnaireResponse.ItemComponent> Flatten(IEnumerable<QuestionnaireResponse.ItemComponent> items) =>
        items.SelectMany(i => Flatten(i.Item).Prepend(i));

    private static string? Text(ILookup<string, QuestionnaireResponse.ItemComponent> items, string linkId) =>
        items[linkId].SelectMany(i => i.Answer).Select(a => a.Value switch
        {
            FhirString s => s.Value,
            Coding c => c.Display ?? c.Code,
            null => null,
            _ => throw new FhirRefused(OperationOutcome.IssueType.Invalid, Item(linkId), $"The answer to '{linkId}' must be a string."),
        }).FirstOrDefault();

    /// <summary>The codes answered to <paramref name="linkId"/>, each from <paramref name="system"/>.</summary>
    private static List<string> Codes(ILookup<string, QuestionnaireResponse.ItemComponent> items, string linkId, string system)
    {
        var codes = new List<string>();
        foreach (var answer in items[linkId].SelectMany(i => i.Answer))
        {
            if (answer.Value is not Coding { Code: { Length: > 0 } code } coding || (coding.System is { } named && named != system))
            {
                throw new FhirRefused(OperationOutcome.IssueType.CodeInvalid, Item(linkId), $"The answer to '{linkId}' must be a Coding from {system}.");
            }

            codes.Add(code);
        }

        return codes;
    }

    private static string SourceOf(QuestionnaireResponse response) =>
        new[] { response.Source, response.Author }
            .Select(r => r?.Reference ?? r?.Display ?? r?.Identifier?.Value)
            .FirstOrDefault(s => !string.IsNullOrWhiteSpace(s))
        ?? throw new FhirRefused(OperationOutcome.IssueType.Required, $"{Resource}.source", "source or author, the system or person the feedback came through, is required.");

    /// <summary>The patient reference: a Patient's literal reference, or its identifier as <c>system|value</c>.</summary>
    private static string? PatientOf(ResourceReference? subject)
    {
        if (subject is null)
        {
            return null;
        }

        var named = subject.Reference is { Length: > 0 } reference ? reference.Split('/') is [.., var type, _] ? type : null : subject.Type;
        if (named is not (null or "Patient") || (subject.Reference is { Length: > 0 } && named is null))
        {
            throw new FhirRefused(OperationOutcome.IssueType.Invalid, $"{Resource}.subject", "The subject must be a Patient, by reference or identifier.");
        }

        return subject.Reference is { Length: > 0 } literal ? literal
            : subject.Identifier is { Value: { Length: > 0 } value } identifier ? $"{identifier.System}|{value}"
            : throw new FhirRefused(OperationOutcome.IssueType.Invalid, $"{Resource}.subject", "The subject must name the Patient by reference or identifier.");
    }
}
