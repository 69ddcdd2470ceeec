using System.Runtime.CompilerServices;
using System.Text.Json;
using Alba;
using LearningSystem.History;
using LearningSystem.Participants;
using Marten;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Tests.Attribution;

/// <summary>Every event records who acted, in which group, for which organisation, through which client, and which request caused it.</summary>
[Collection(ServiceGroup.Name)]
public sealed class RecordingWhoActed(ServiceFixture service)
{
    // Acts whose actor the route names rather than the body, each with why; every other command declares its actor in its type.
    private static readonly Dictionary<string, string> ActorFromRoute = new()
    {
        ["PUT /api/participants/{id}/consent"] = "the participant named in the route changes their own consent",
        ["POST /api/audit/checkpoints"] = "appends no event; a checkpoint is a document",
        ["POST /api/admin/rebuilds"] = "appends no event; it rebuilds the views from the events",
        ["POST /fhir/QuestionnaireResponse"] = "the integrating client acts in its own name, as for recordPatientFeedback; the body is a FHIR resource, not a command type",
        ["POST /fhir"] = "a batch of QuestionnaireResponses, each recorded as POST /fhir/QuestionnaireResponse records it",
    };

    private IAlbaHost Host => service.Host;

    private (string Route, HttpChain Chain)[] Commands() =>
        Host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.OfType<HttpChain>().FirstOrDefault())
            .OfType<HttpChain>()
            .Where(c => c.HttpMethods.Any(m => m is "POST" or "PUT"))
            .Select(c => ($"{c.HttpMethods.Single()} {c.RoutePattern!.RawText}", c))
            .OrderBy(c => c.Item1, StringComparer.Ordinal)
            .ToArray();

    [Fact]
    public void Every_command_declares_who_acts()
    {
        var commands = Commands();
        Assert.True(commands.Length > 30, $"only {commands.Length} commands found");

        var undeclared = commands
            .Where(c => !ActorFromRoute.ContainsKey(c.Route))
            .Where(c => c.Chain.RequestType is not { } type || !(type.IsAssignableTo(typeof(IActedBy)) || type.IsAssignableTo(typeof(IActedByClient))))
            .Select(c => c.Route)
            .ToArray();

        Assert.True(undeclared.Length == 0, $"These commands say nothing about who acts: {string.Join(", ", undeclared)}");
    }

    [Fact]
    public async Task Every_participant_command_without_its_participant_is_refused_and_appends_nothing()
    {
        var before = await service.EventCountAsync();
        var checkedCommands = 0;
        foreach (var (route, chain) in Commands().Where(c => c.Chain.RequestType?.IsAssignableTo(typeof(IActedBy)) == true))
        {
            // An erasure may be asked for by no participant: then the client acts in its own name.
            var actor = ActorField(chain.RequestType!);
            if (route.EndsWith("/erasure", StringComparison.Ordinal))
            {
                continue;
            }

            var url = route[(route.IndexOf(' ', StringComparison.Ordinal) + 1)..]
                .Replace("{kind}", "priorities", StringComparison.Ordinal)
                .Replace("{patientRef}", "kiosk-1", StringComparison.Ordinal);
            url = System.Text.RegularExpressions.Regex.Replace(url, "{[^}]+}", _ => Guid.NewGuid().ToString());
            var result = await Host.Scenario(s =>
            {
                s.Post.Json(new { }).ToUrl(url);
                s.StatusCodeShouldBe(400);
            });
            var problem = await result.ReadAsJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(actor, out _), $"{route} should name '{actor}': {problem.GetRawText()}");
            checkedCommands++;
        }

        Assert.True(checkedCommands > 25, $"only {checkedCommands} participant commands checked");
        Assert.Equal(before, await service.EventCountAsync());
    }

    [Fact]
    public async Task Appending_without_an_actor_is_refused_whatever_code_does_it()
    {
        var id = Guid.NewGuid();
        await using var session = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession("local");
        session.Events.StartStream<LearningSystem.Lessons.Lesson>(id,
            new LearningSystem.Lessons.LessonRecorded(id, id, null, "A lesson nobody wrote", [], Guid.NewGuid(), StakeholderGroup.Other, TestClock.Start));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => session.SaveChangesAsync());

        Assert.Contains("who acted", refused.Message, StringComparison.Ordinal);
        await using var query = Host.Services.GetRequiredService<IDocumentStore>().QuerySession("local");
        Assert.Empty(await query.Events.FetchStreamAsync(id));
    }

    [Fact]
    public async Task Every_event_of_jennys_story_records_actor_group_organisation_client_and_request()
    {
        var (_, organisation) = await service.PlayJennysStoryAsync("metadata", client: "outpatients-portal");

        await using var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession(organisation);
        var events = await session.Events.QueryAllRawEvents().ToListAsync();
        Assert.True(events.Count > 50);
        foreach (var e in events)
        {
            var headers = e.Headers!;
            Assert.Equal(organisation, headers[WhoActed.OrganisationKey].ToString());
            Assert.Equal("outpatients-portal", headers[WhoActed.ClientKey].ToString());
            Assert.False(string.IsNullOrEmpty(e.CorrelationId));
            Assert.False(string.IsNullOrEmpty(e.CausationId));
            if (Acts.Describe(e.Data) is { } act)
            {
                Assert.Equal(act.By.ToString(), headers[WhoActed.ActingParticipantKey].ToString());
                Assert.Equal(WireValues<StakeholderGroup>.Name(act.Group), headers[WhoActed.ActingGroupKey].ToString());
            }
        }

        Assert.Contains(events, e => e.Headers!.ContainsKey(WhoActed.ActingParticipantKey));
        Assert.Contains(events, e => !e.Headers!.ContainsKey(WhoActed.ActingParticipantKey) && e.EventTypeName == "patient_feedback_recorded");
    }

    /// <summary>The body field that names the acting participant: the one <see cref="IActedBy.ActingParticipant"/> reads.</summary>
    private static string ActorField(Type command)
    {
        foreach (var property in command.GetProperties().Where(p => p.PropertyType == typeof(Guid?) && p.CanWrite))
        {
            var instance = RuntimeHelpers.GetUninitializedObject(command);
            var marker = Guid.NewGuid();
            property.SetValue(instance, marker);
            if (((IActedBy)instance).ActingParticipant == marker)
            {
                return JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            }
        }

        throw new InvalidOperationException($"{command.Name} names no acting participant.");
    }
}
