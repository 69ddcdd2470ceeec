using LearningSystem.Feedback;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using LearningSystem.ServiceRedesigns;
using Marten;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.LearningLoop;

public sealed record ChangeView(Guid Id, string Title, string ProposedChange);

public sealed record ResponseView(Guid Id, Guid By, string ByName, StakeholderGroup ByGroup, ResponseAction Action, string Text, DateTimeOffset At, ChangeView? Change);

public sealed record SaidAndDone(Guid FeedbackId, FeedbackRating Rating, string Comment, DateTimeOffset ReceivedAt, IReadOnlyList<ResponseView> Responses);

public sealed record YouSaidWeDidView(string Service, IReadOnlyList<SaidAndDone> Feedback);

public static class YouSaidWeDidEndpoint
{
    /// <summary>
    /// "You said, we did" for one service: the feedback consented for service improvement, each with the
    /// responses to it and the change each response points to.
    /// </summary>
    [WolverineGet("/api/services/{service}/you-said-we-did", OperationId = "getYouSaidWeDid"), Tags(LearningLoopModule.Tag)]
    public static async Task<YouSaidWeDidView> Get(string service, int? limit, string? after, HttpContext http, IQuerySession session, PersonalDataVault vault, CancellationToken ct)
    {
        var page = Paging.Read(limit, after);
        var query = session.Query<PatientFeedback>().Where(f => f.Service == service && f.Consent.Contains(ConsentScope.ServiceImprovement));
        var feedback = await vault.OpenAllAsync(session,
            Paging.Finish(http, await Paging.Apply(query, page, f => f.ReceivedAt, f => f.Id).ToListAsync(ct), page, f => f.ReceivedAt), ct);

        var ids = feedback.Select(f => f.Id).ToArray();
        var responded = await vault.OpenAllAsync(session, (await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId.IsOneOf(ids) && e.EventTypeName == "feedback_responded")
            .OrderBy(e => e.Sequence)
            .ToListAsync(ct)).Select(e => (FeedbackResponded)e.Data).ToArray(), ct);

        var people = await vault.OpenAllAsync(session, await session.LoadManyAsync<Participant>(ct, responded.Select(r => r.By).Distinct()), ct);
        var names = people.ToDictionary(p => p.Id, p => p.DisplayName);
        var redesigns = (await session.LoadManyAsync<ServiceRedesign>(ct, responded.Select(r => r.RedesignId).OfType<Guid>().Distinct()))
            .ToDictionary(r => r.Id, r => new ChangeView(r.Id, r.Title, r.ProposedChange));

        return new YouSaidWeDidView(service, feedback.Select(f => new SaidAndDone(
            f.Id, f.Rating, f.Comment, f.ReceivedAt,
            responded.Where(r => r.FeedbackId == f.Id).Select(r => new ResponseView(
                r.ResponseId, r.By, names.GetValueOrDefault(r.By, SealedValue.ErasedMarker), r.ByGroup, r.Action, r.Text, r.At,
                r.RedesignId is { } redesign ? redesigns.GetValueOrDefault(redesign) : null)).ToArray())).ToArray());
    }
}
