using LearningSystem.Finding.Groups;
using LearningSystem.Finding.People;
using LearningSystem.Http;
using LearningSystem.Participants;
using LearningSystem.Participants.Reading;
using LearningSystem.PersonalData;
using LearningSystem.Rounds;
using LearningSystem.Rounds.Reading;
using Marten;

namespace LearningSystem.Explorer;

public sealed record PersonModel(Participant Participant, IReadOnlyList<ActDone> Acts, string? Next);

public sealed record GroupModel(StakeholderGroupView View, IReadOnlyList<Participant> Participants, string? Next);

public sealed record GroupActsModel(string Group, IReadOnlyList<ActDone> Acts, IReadOnlyDictionary<Guid, Participant> People, string? Next);

public sealed record ComparisonModel(Round First, RoundsCompared? Compared, IReadOnlyList<Round> Others);

/// <summary>Who set which priorities, by person and by group, and two rounds side by side.</summary>
public static class PeoplePages
{
    public const int Page = 100;

    /// <summary>A group's acts name each person, and opening their names costs more than reading the acts.</summary>
    public const int GroupActsPage = 50;

    public static void Map(RouteGroupBuilder explore)
    {
        explore.MapGet("/participants/{id:guid}", (Guid id, string? after, HttpContext http, PersonalDataVault vault, CancellationToken ct) =>
            Pages.Show<ParticipantPage, PersonModel>(http, "/api/participants/{id}/acts", async (session, _) =>
            {
                if (await GetParticipantEndpoint.Get(id, session, vault, ct) is not { } person)
                {
                    return null;
                }

                var acts = await WhoDidWhatEndpoint.ByParticipant(id, "-at", Page, after, http, session, ct);
                return new PersonModel(person, acts, Pages.Next(http));
            }, $"No participant {id} is registered in this organisation."));
        explore.MapGet("/stakeholder-groups/{group}", (string group, string? after, HttpContext http, PersonalDataVault vault, CancellationToken ct) =>
            Pages.Show<StakeholderGroupPage, GroupModel>(http, "/api/stakeholder-groups/{group}", async (session, _) =>
            {
                var view = await StakeholderGroupEndpoint.Get(group, session, ct);
                var people = await ListParticipantsEndpoint.Get(WireValues<StakeholderGroup>.Name(view.Group), Page, after, http, session, vault, ct);
                return new GroupModel(view, people, Pages.Next(http));
            }, ""));
        explore.MapGet("/stakeholder-groups/{group}/acts", (string group, string? after, HttpContext http, PersonalDataVault vault, CancellationToken ct) =>
            Pages.Show<GroupActsPage, GroupActsModel>(http, "/api/stakeholder-groups/{group}/acts", async (session, _) =>
            {
                var acts = await WhoDidWhatEndpoint.ByGroup(group, "-at", GroupActsPage, after, http, session, ct);
                var next = Pages.Next(http);
                return new GroupActsModel(WireValues<StakeholderGroup>.Name(WhoDidWhatEndpoint.Group(group)), acts,
                    await Pages.PeopleAsync(session, vault, acts.Select(a => a.By), ct), next);
            }, ""));
        explore.MapGet("/rounds/{id:guid}/comparison", (Guid id, string? with, HttpContext http, CancellationToken ct) =>
            Pages.Show<ComparisonPage, ComparisonModel>(http, "/api/rounds/{id}/comparison", async (session, _) =>
            {
                if (await session.LoadAsync<Round>(id, ct) is not { } first)
                {
                    return null;
                }

                var others = await session.Query<Round>().Where(r => r.Id != id).OrderByDescending(r => r.OpenedAt).Take(Page).ToListAsync(ct);
                Guid? other = with is { Length: > 0 }
                    ? Guid.TryParse(with, out var parsed) ? parsed : throw Rejected.Invalid("with is the id of the round to compare with.", "with")
                    : null;
                return new ComparisonModel(first, other is { } o ? await CompareRoundsEndpoint.Get(id, o, session, ct) : null, others);
            }, $"No round {id} in this organisation."));
    }
}
