using LearningSystem.Access;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Feedback.Listing;

/// <summary>Feedback without its words: what a client may see with <c>read</c> alone, as the open loops show it.</summary>
public sealed record FeedbackRated(Guid Id, string Service, string Source, FeedbackRating Rating, DateTimeOffset ReceivedAt, int Responses);

public static class ListPatientFeedbackEndpoint
{
    public static SortKey<PatientFeedback>[] Sorts(string schema) =>
    [
        SortKey<PatientFeedback>.Date("receivedAt", schema, "receivedAt", f => f.ReceivedAt),
        SortKey<PatientFeedback>.Text("service", "service", f => f.Service),
        // In the scale's order (very good first), not the names'; Marten keeps enums by their C# names.
        new("rating", $"array_position(array[{string.Join(", ", Enum.GetNames<FeedbackRating>().Select(n => $"'{n}'"))}], d.data ->> 'rating')", f => (int)f.Rating + 1, 'n'),
    ];

    /// <summary>
    /// Feedback for one purpose (service improvement unless <c>purpose</c> names another): only what the patient
    /// consented to that purpose is listed. By service, <c>rating</c> and when it was received (<c>from</c> ≤
    /// receivedAt &lt; <c>to</c>); oldest first unless <c>sort</c> says otherwise.
    /// </summary>
    [WolverineGet("/api/patient-feedback", OperationId = "listPatientFeedback"), Tags(FeedbackModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task<IReadOnlyList<PatientFeedback>> Get(
        string? service, string? purpose, string? rating, DateTimeOffset? from, DateTimeOffset? to, string? sort, int? limit, string? after,
        HttpContext http, IQuerySession session, PersonalDataVault vault, CancellationToken ct)
    {
        var feedback = await Http.Listing.PageAsync(http, Filter(session, service, purpose, rating, from, to),
            Http.Listing.Sort(sort, false, Sorts(session.DocumentStore.Options.DatabaseSchemaName)), limit, after, f => f.Id, ct);
        return await vault.OpenAllAsync(session, feedback, ct);
    }

    /// <summary>
    /// The same list without the patients' words or references: service, source, rating, when and how many
    /// answers. It needs only <c>read</c>, as the open loops do.
    /// </summary>
    [WolverineGet("/api/patient-feedback/ratings", OperationId = "listPatientFeedbackRatings"), Tags(FeedbackModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task<IReadOnlyList<FeedbackRated>> GetRatings(
        string? service, string? purpose, string? rating, DateTimeOffset? from, DateTimeOffset? to, string? sort, int? limit, string? after,
        HttpContext http, IQuerySession session, CancellationToken ct) =>
        [.. (await Http.Listing.PageAsync(http, Filter(session, service, purpose, rating, from, to),
            Http.Listing.Sort(sort, false, Sorts(session.DocumentStore.Options.DatabaseSchemaName)), limit, after, f => f.Id, ct)).Select(Rated)];

    /// <summary>
    /// The same list, with the same filters and order, as CSV. The comment column is there only for a client
    /// that may read feedback (<c>feedback:read</c>); patient references never are.
    /// </summary>
    [WolverineGet("/api/patient-feedback.csv", OperationId = "listPatientFeedbackCsv"), Tags(FeedbackModule.Tag)]
    [Produces(Csv.MediaType)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static IResult GetCsv(
        string? service, string? purpose, string? rating, DateTimeOffset? from, DateTimeOffset? to, string? sort,
        HttpContext http, IQuerySession session, PersonalDataVault vault, CancellationToken ct)
    {
        var words = http.User.HasScope(Scopes.FeedbackRead);
        var feedback = Http.Listing.AllAsync(Filter(session, service, purpose, rating, from, to),
            Http.Listing.Sort(sort, false, Sorts(session.DocumentStore.Options.DatabaseSchemaName)), f => f.Id, ct);
        return Csv.Stream(["id", "service", "source", "rating", "receivedAt", "responses", .. words ? Comment : []], Rows(feedback), "patient-feedback.csv");

        async IAsyncEnumerable<object?[]> Rows(IAsyncEnumerable<PatientFeedback> all)
        {
            await foreach (var chunk in all.Chunk(Paging.MaxLimit))
            {
                foreach (var f in words ? await vault.OpenAllAsync(session, chunk, ct) : chunk)
                {
                    object?[] row = [f.Id, f.Service, f.Source, f.Rating, f.ReceivedAt, f.Responses.Count];
                    yield return words ? [.. row, f.Comment] : row;
                }
            }
        }
    }

    private static readonly string[] Comment = ["comment"];

    public static FeedbackRated Rated(PatientFeedback f) => new(f.Id, f.Service, f.Source, f.Rating, f.ReceivedAt, f.Responses.Count);

    public static IQueryable<PatientFeedback> Filter(IQuerySession session, string? service, string? purpose, string? rating, DateTimeOffset? from, DateTimeOffset? to)
    {
        var scope = purpose is null ? ConsentScope.ServiceImprovement : WireValues<ConsentScope>.Parse(purpose, "purpose");
        var query = session.Query<PatientFeedback>().Where(f => f.Consent.Contains(scope));
        if (!string.IsNullOrWhiteSpace(service))
        {
            query = query.Where(f => f.Service == service);
        }

        if (rating is not null)
        {
            var rated = WireValues<FeedbackRating>.Parse(rating, "rating");
            query = query.Where(f => f.Rating == rated);
        }

        query = Http.Listing.Within(query, f => f.ReceivedAt, from, to);

        return query;
    }
}
