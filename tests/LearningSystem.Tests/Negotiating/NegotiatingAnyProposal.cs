using System.Text.Json;
using Alba;
using LearningSystem.Curriculum;
using LearningSystem.Negotiating;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.ServiceRedesigns;
using LearningSystem.Tests.Priorities;
using Marten;
using Marten.Services;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;

namespace LearningSystem.Tests.Negotiating;

/// <summary>Priorities, service redesigns and curriculum changes are negotiated by the same moves at <c>/api/{kind}/{id}/…</c>.</summary>
[Collection(ServiceGroup.Name)]
public sealed class NegotiatingAnyProposal(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    private async Task<JsonElement> MoveAsync(string kind, Guid id, string move, object body, int status = 201)
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl($"/api/{kind}/{id}/{move}");
            s.StatusCodeShouldBe(status);
        });
        return await result.ReadAsJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_redesign_is_refined_by_objection_and_amendment_and_its_decision_answers_them()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var reyes = await Host.ParticipantAsync("Dr Reyes", "clinician");
        var redesign = await Host.CreateAsync("/api/service-redesigns", Requests.Redesign(jenny));
        var priority = await Host.SetPriorityAsync(reyes);
        await Host.MoveAsync(priority, "decision", new { by = reyes, outcome = "agreed", rationale = "Agreed", decisionMakers = new[] { reyes }, expectedVersion = 1 });

        await MoveAsync("service-redesigns", redesign, "endorsements", new { by = reyes });
        var objection = (await MoveAsync("service-redesigns", redesign, "objections", new { by = reyes, reason = "Say nothing clinical in a text." })).GetProperty("id").GetGuid();
        var amendment = (await MoveAsync("service-redesigns", redesign, "amendments", new { by = reyes, wording = "Text only the length of the delay.", reason = "Privacy", expectedVersion = 3 })).GetProperty("id").GetGuid();
        await MoveAsync("service-redesigns", redesign, $"amendments/{amendment}/acceptance", new { by = reyes, expectedVersion = 4 }, 409);
        await MoveAsync("service-redesigns", redesign, $"amendments/{amendment}/acceptance", new { by = jenny, expectedVersion = 4 });
        var decided = await MoveAsync("service-redesigns", redesign, "decision", new
        {
            by = reyes, outcome = "approved", rationale = "Serves the agreed priority", basedOnPriorities = new[] { priority }, decisionMakers = new[] { reyes, jenny },
            answersObjections = new[] { objection }, answersAmendments = new[] { amendment }, expectedVersion = 5,
        });

        Assert.Equal(6, decided.GetProperty("version").GetInt64());
        var view = await Host.GetJsonAsync($"/api/service-redesigns/{redesign}");
        Assert.Equal("Text only the length of the delay.", view.GetProperty("proposedChange").GetString());
        Assert.Equal([objection], view.GetProperty("decision").GetProperty("answersObjections").EnumerateArray().Select(o => o.GetGuid()));
        Assert.Equal(1, view.GetProperty("negotiation").GetProperty("objectionsRaised").GetInt32());
        var answered = Assert.Single((await Host.GetJsonAsync($"/api/service-redesigns/{redesign}/objections")).EnumerateArray());
        Assert.True(answered.GetProperty("answered").GetBoolean());
        Assert.False(answered.GetProperty("open").GetBoolean());
        Assert.Equal(1, view.GetProperty("negotiation").GetProperty("endorsements").GetInt32());
        var endorsements = await Host.GetJsonAsync($"/api/service-redesigns/{redesign}/endorsements");
        Assert.Equal([reyes], endorsements.EnumerateArray().Select(e => e.GetProperty("by").GetGuid()));

        // Negotiation ends with the decision.
        var before = await service.EventCountAsync();
        await MoveAsync("service-redesigns", redesign, "objections", new { by = jenny, reason = "Too late" }, 409);
        await MoveAsync("service-redesigns", redesign, "decision", new { by = reyes, outcome = "rejected", rationale = "Changed our minds", decisionMakers = new[] { reyes }, expectedVersion = 6 }, 409);
        Assert.Equal(before, await service.EventCountAsync());
    }

    [Fact]
    public async Task A_move_on_one_kind_of_proposal_leaves_no_view_of_another_kind()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var priority = await Host.SetPriorityAsync(jenny);
        var redesign = await Host.CreateAsync("/api/service-redesigns", Requests.Redesign(jenny));
        await Host.MoveAsync(priority, "objections", new { by = jenny, reason = "Too vague" });
        await MoveAsync("service-redesigns", redesign, "objections", new { by = jenny, reason = "Too vague" });

        await using var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession("local");
        Assert.Null(await session.LoadAsync<ServiceRedesign>(priority));
        Assert.Null(await session.LoadAsync<CurriculumChange>(priority));
        Assert.Null(await session.LoadAsync<Priority>(redesign));
        Assert.Null(await session.LoadAsync<CurriculumChange>(redesign));
        Assert.Equal(2, (await session.LoadAsync<ServiceRedesign>(redesign))!.Version);
        Assert.Equal(2, (await session.LoadAsync<Priority>(priority))!.Version);
    }

    [Fact]
    public async Task A_move_on_a_priority_reads_and_writes_no_view_of_another_kind()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var priority = await Host.SetPriorityAsync(jenny);
        var statements = new Statements();

        await using (var session = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession("local"))
        {
            session.Logger = statements;
            session.SetHeader(LearningSystem.Attribution.WhoActed.ClientKey, "tests");
            var stream = await session.Events.FetchForWriting<Priority>(priority);
            stream.AppendOne(new ObjectionRaised(priority, Guid.NewGuid(), jenny, StakeholderGroup.Student, "Too vague", DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }

        Assert.Contains(statements.Sql, s => s.Contains("mt_doc_priority", StringComparison.Ordinal));
        Assert.DoesNotContain(statements.Sql, s => s.Contains("mt_doc_serviceredesign", StringComparison.Ordinal) || s.Contains("mt_doc_curriculumchange", StringComparison.Ordinal));
        var view = await Host.GetJsonAsync($"/api/priorities/{priority}");
        Assert.Equal(1, view.GetProperty("negotiation").GetProperty("objectionsRaised").GetInt32());
        Assert.Equal("Too vague", Assert.Single((await Host.GetJsonAsync($"/api/priorities/{priority}/objections")).EnumerateArray()).GetProperty("reason").GetString());
    }

    /// <summary>Every statement a session sends.</summary>
    private sealed class Statements : IMartenSessionLogger
    {
        public List<string> Sql { get; } = [];

        public void OnBeforeExecute(NpgsqlCommand command) => Sql.Add(command.CommandText);

        public void OnBeforeExecute(NpgsqlBatch batch) => Sql.AddRange(batch.BatchCommands.Cast<NpgsqlBatchCommand>().Select(c => c.CommandText));

        public void LogSuccess(NpgsqlCommand command)
        {
        }

        public void LogFailure(NpgsqlCommand command, Exception ex)
        {
        }

        public void LogSuccess(NpgsqlBatch batch)
        {
        }

        public void LogFailure(NpgsqlBatch batch, Exception ex)
        {
        }

        public void LogFailure(Exception ex, string message)
        {
        }

        public void RecordSavedChanges(IDocumentSession session, IChangeSet commit)
        {
        }
    }

    [Fact]
    public async Task Unknown_kinds_ids_and_stale_versions_are_problems_and_change_nothing()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var redesign = await Host.CreateAsync("/api/service-redesigns", Requests.Redesign(jenny));
        var before = await service.EventCountAsync();

        var unknownKind = await MoveAsync("meetings", redesign, "objections", new { by = jenny, reason = "x" }, 404);
        Assert.Contains("curriculum-changes", unknownKind.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await MoveAsync("curriculum-changes", redesign, "objections", new { by = jenny, reason = "x" }, 404);
        await MoveAsync("priorities", redesign, "endorsements", new { by = jenny }, 404);
        await MoveAsync("service-redesigns", Guid.NewGuid(), "endorsements", new { by = jenny }, 404);
        var stale = await MoveAsync("service-redesigns", redesign, "amendments", new { by = jenny, wording = "New", reason = "Better", expectedVersion = 7 }, 409);
        Assert.Equal(1, stale.GetProperty("currentVersion").GetInt64());
        await MoveAsync("service-redesigns", redesign, "amendments", new { by = jenny, wording = "New", reason = "Better" }, 400);
        await MoveAsync("service-redesigns", redesign, "decision", new { by = jenny, outcome = "approved", rationale = "r", decisionMakers = new[] { jenny } }, 400);
        await MoveAsync("meetings", redesign, "decision", new { by = jenny, outcome = "approved", rationale = "r", decisionMakers = new[] { jenny }, expectedVersion = 1 }, 404);

        Assert.Equal(before, await service.EventCountAsync());
    }
}
