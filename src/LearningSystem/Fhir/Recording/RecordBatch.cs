using System.Text.Json;
using FluentValidation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using LearningSystem.Attribution;
using LearningSystem.Feedback.Recording;
using LearningSystem.Http;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Task = System.Threading.Tasks.Task;

namespace LearningSystem.Fhir.Recording;

/// <summary>
/// <c>POST /fhir</c> with a <c>batch</c> Bundle of QuestionnaireResponses: each entry is recorded on its own, in a
/// transaction of its own, as <c>POST /fhir/QuestionnaireResponse</c> would record it (its <c>request.ifNoneExist</c>
/// a conditional create), and the answer is a <c>batch-response</c> Bundle with each entry's status, location or
/// OperationOutcome. Both are streamed: an entry is read, recorded and answered before the next is read, so a Bundle
/// of any length costs the memory of one entry. A <c>transaction</c> Bundle is refused: all-or-nothing over
/// thousands of patients' feedback would hold one transaction open for all of them.
/// </summary>
public static class RecordBatchEndpoint
{
    /// <summary>How large a Bundle may be: 10,000 responses of a few kilobytes each, with room.</summary>
    public const long MaxBundleBytes = 256L * 1024 * 1024;

    private static readonly FhirJsonDeserializer Deserializer = new(new DeserializerSettings());

    [WolverinePost("/fhir", OperationId = "processFhirBatch"), Tags(FhirModule.Tag)]
    [Consumes(typeof(FhirResourceJson), FhirModule.MediaType, "application/json")]
    [ProducesResponseType<FhirResourceJson>(200, FhirModule.MediaType)]
    [ProducesResponseType<FhirResourceJson>(400, FhirModule.MediaType)]
    [RequestSizeLimit(MaxBundleBytes)]
    public static async Task Post(
        HttpContext http, IDocumentSession session, PersonalDataVault vault, Peppers peppers, IValidator<RecordPatientFeedback> validator,
        TimeProvider clock, CancellationToken ct)
    {
        var bundle = new BundleReader(http.Request.BodyReader);
        var entries = bundle.EntriesAsync(ct).GetAsyncEnumerator(ct);
        bool any;
        try
        {
            // The Bundle's own faults (not a batch, not JSON) are known before anything is answered.
            any = await entries.MoveNextAsync();
        }
        catch (FhirRefused refused)
        {
            await FhirAnswers.Refusal(refused).ExecuteAsync(http);
            return;
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = FhirModule.MediaType;
        await using var json = new Utf8JsonWriter(http.Response.Body);
        json.WriteStartObject();
        json.WriteString("resourceType", "Bundle");
        json.WriteString("type", "batch-response");
        json.WriteStartArray("entry");
        var index = 0;
        try
        {
            while (any)
            {
                var (status, location, outcome) = await RecordEntryAsync(entries.Current, index, http, session, vault, peppers, validator, clock, ct);
                WriteEntry(json, status, location, outcome);
                index++;
                // A network write every so often, rather than one per entry or one at the end.
                if (json.BytesPending > 16 * 1024)
                {
                    await json.FlushAsync(ct);
                }

                any = await entries.MoveNextAsync();
            }
        }
        catch (FhirRefused refused)
        {
            // The rest of the Bundle could not be read; what came before it stands, and is answered above.
            WriteEntry(json, "400 Bad Request", null, FhirAnswers.Outcome(OperationOutcome.IssueSeverity.Error, refused.Code,
                $"Entries from {index + 1} on were not read: {refused.Message}", refused.Expression));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The answer has begun, so it ends well formed: what came before stands, and the rest is said not recorded.
            http.RequestServices.GetRequiredService<ILogger<BundleReader>>().LogError(e, "A FHIR batch stopped at entry {Entry}", index + 1);
            var unavailable = e is Npgsql.NpgsqlException { IsTransient: true };
            WriteEntry(json, unavailable ? "503 Service Unavailable" : "500 Internal Server Error", null, FhirAnswers.Outcome(OperationOutcome.IssueSeverity.Error,
                unavailable ? OperationOutcome.IssueType.Transient : OperationOutcome.IssueType.Exception,
                $"Entries from {index + 1} on were not recorded: {(unavailable ? "PostgreSQL could not be reached" : "the service failed")}. Send them again.", $"Bundle.entry[{index}]"));
        }
        finally
        {
            await entries.DisposeAsync();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(ct);
    }

    private static async Task<(string Status, string? Location, OperationOutcome? Outcome)> RecordEntryAsync(
        byte[] entryJson, int index, HttpContext http, IDocumentSession session, PersonalDataVault vault, Peppers peppers,
        IValidator<RecordPatientFeedback> validator, TimeProvider clock, CancellationToken ct)
    {
        try
        {
            var entry = ReadEntry(entryJson, index);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    // Each entry in a transaction of its own, stamped with the request that carried it.
                    await using var own = session.DocumentStore.LightweightSession(session.TenantId);
                    WhoActed.StampSession(http, own);
                    var (id, created) = await RecordQuestionnaireResponseEndpoint.RecordAsync(
                        (QuestionnaireResponse)entry.Resource!, entry.Request?.IfNoneExist, own, vault, peppers, validator, clock, ct);
                    return (created ? "201 Created" : "200 OK", $"QuestionnaireResponse/{id}", null);
                }
                catch (Exception e) when (KeyLiveness.IsStaleKey(e) && attempt < RetryingConflicts.Attempts)
                {
                    // The patient's key was erased, on some node, as this entry sealed under it: as a single create is, the entry
                    // runs again and reads the keys afresh.
                    http.RequestServices.GetRequiredService<SubjectKeyCache>().ForgetLiveKeys();
                }
            }
        }
        catch (FhirRefused refused)
        {
            var expression = refused.Expression.StartsWith("QuestionnaireResponse", StringComparison.Ordinal)
                ? $"Bundle.entry[{index}].resource{refused.Expression["QuestionnaireResponse".Length..]}"
                : refused.Expression.StartsWith("Bundle", StringComparison.Ordinal) ? refused.Expression
                : refused.Expression == "If-None-Exist" ? $"Bundle.entry[{index}].request.ifNoneExist"
                : $"Bundle.entry[{index}].resource";
            return ($"{refused.Status} {(refused.Status == 400 ? "Bad Request" : "Error")}", null,
                FhirAnswers.Outcome(OperationOutcome.IssueSeverity.Error, refused.Code, refused.Message, expression));
        }
    }

    /// <summary>An entry that creates a QuestionnaireResponse, read with Firely's model.</summary>
    private static Bundle.EntryComponent ReadEntry(byte[] json, int index)
    {
        Bundle.EntryComponent entry;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            entry = (Bundle.EntryComponent)Deserializer.DeserializeObject(typeof(Bundle.EntryComponent), ref reader);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new FhirRefused(OperationOutcome.IssueType.Structure, $"Bundle.entry[{index}]", $"The entry is not valid FHIR: {e.Message.Split('\n')[0]}");
        }

        if (entry.Request is { } request && (request.Method != Bundle.HTTPVerb.POST || request.Url?.TrimStart('/') != "QuestionnaireResponse"))
        {
            throw new FhirRefused(OperationOutcome.IssueType.NotSupported, $"Bundle.entry[{index}].request",
                "Each entry must create a QuestionnaireResponse: request.method POST, request.url QuestionnaireResponse.");
        }

        return entry.Resource is QuestionnaireResponse
            ? entry
            : throw new FhirRefused(OperationOutcome.IssueType.NotSupported, $"Bundle.entry[{index}].resource",
                $"Only QuestionnaireResponses are recorded, not {entry.Resource?.TypeName ?? "an entry without a resource"}.");
    }

    private static void WriteEntry(Utf8JsonWriter json, string status, string? location, OperationOutcome? outcome)
    {
        json.WriteStartObject();
        json.WriteStartObject("response");
        json.WriteString("status", status);
        if (location is not null)
        {
            json.WriteString("location", location);
        }

        if (outcome is not null)
        {
            json.WritePropertyName("outcome");
            json.WriteRawValue(outcome.ToJson(), skipInputValidation: true);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
