using System.Text.Json;
using Alba;
using LearningSystem.Tests.Priorities;

namespace LearningSystem.Tests.LearningLoop;

[Collection(ServiceGroup.Name)]
public sealed class LivingARedesign(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    private async Task<JsonElement> StepAsync(Guid redesign, string step, object body, int status = 201)
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl($"/api/service-redesigns/{redesign}/{step}");
            s.StatusCodeShouldBe(status);
        });
        return await result.ReadAsJsonAsync<JsonElement>();
    }

    private async Task<(Guid Redesign, Guid Manager, Guid Priority)> ProposedWithAgreedPriorityAsync()
    {
        var manager = await Host.ParticipantAsync("Ms Brown", "manager");
        var redesign = await Host.CreateAsync("/api/service-redesigns", Requests.Redesign(manager));
        var priority = await Host.SetPriorityAsync(manager);
        await Host.MoveAsync(priority, "decision", new { by = manager, outcome = "agreed", rationale = "Agreed", decisionMakers = new[] { manager }, expectedVersion = 1 });
        return (redesign, manager, priority);
    }

    [Fact]
    public async Task A_redesign_is_approved_implemented_measured_and_evaluated_and_its_view_shows_each_step()
    {
        var (redesign, manager, priority) = await ProposedWithAgreedPriorityAsync();

        await StepAsync(redesign, "decision", new { by = manager, outcome = "approved", rationale = "Serves the agreed priority", basedOnPriorities = new[] { priority }, decisionMakers = new[] { manager }, expectedVersion = 1 });
        var implementation = (await StepAsync(redesign, "implementations", new { by = manager, whatChanged = "Reception texts patients when the clinic runs 30 minutes late", implementedOn = "2026-11-01T00:00:00Z" })).GetProperty("id").GetGuid();
        var measurement = (await StepAsync(redesign, "outcomes", new
        {
            by = manager, measure = "Median unexplained wait", baseline = 95, value = 40, unit = "minutes",
            periodStart = "2026-11-01T00:00:00Z", periodEnd = "2026-11-15T00:00:00Z", source = "Clinic appointment system",
        })).GetProperty("id").GetGuid();
        var evaluated = await StepAsync(redesign, "evaluations", new { by = manager, summary = "Unexplained waits more than halved." });

        Assert.Equal(5, evaluated.GetProperty("version").GetInt64());
        var view = await Host.GetJsonAsync($"/api/service-redesigns/{redesign}");
        Assert.Equal("approved", view.GetProperty("decision").GetProperty("outcome").GetString());
        Assert.Equal([priority], view.GetProperty("decision").GetProperty("basedOnPriorities").EnumerateArray().Select(p => p.GetGuid()));
        Assert.Equal(implementation, view.GetProperty("outcomes")[0].GetProperty("implementationId").GetGuid());
        Assert.Equal(40m, view.GetProperty("outcomes")[0].GetProperty("value").GetDecimal());
        Assert.Equal([measurement], view.GetProperty("evaluations")[0].GetProperty("measurements").EnumerateArray().Select(m => m.GetGuid()));
    }

    [Fact]
    public async Task Steps_out_of_order_or_on_unagreed_priorities_are_refused()
    {
        var (redesign, manager, _) = await ProposedWithAgreedPriorityAsync();
        var openPriority = await Host.SetPriorityAsync(manager, "Still being negotiated");

        await StepAsync(redesign, "implementations", new { by = manager, whatChanged = "x", implementedOn = "2026-11-01T00:00:00Z" }, 409);
        await StepAsync(redesign, "decision", new { by = manager, outcome = "approved", rationale = "r", basedOnPriorities = new[] { openPriority }, decisionMakers = new[] { manager }, expectedVersion = 1 }, 409);
        await StepAsync(redesign, "decision", new { by = manager, outcome = "approved", rationale = "r", basedOnPriorities = new[] { Guid.NewGuid() }, decisionMakers = new[] { manager }, expectedVersion = 1 }, 404);
        await StepAsync(redesign, "decision", new { by = manager, outcome = "maybe", rationale = "" }, 400);
        await StepAsync(Guid.NewGuid(), "evaluations", new { by = manager, summary = "x" }, 404);
        await StepAsync(redesign, "outcomes", new { by = manager, measure = "m", baseline = 1, value = 2, periodStart = "2026-11-15T00:00:00Z", periodEnd = "2026-11-01T00:00:00Z", source = "s" }, 400);
    }

    [Fact]
    public async Task Open_loops_show_where_each_redesign_stopped()
    {
        var (notImplemented, manager, priority) = await ProposedWithAgreedPriorityAsync();
        var notMeasured = await Host.CreateAsync("/api/service-redesigns", Requests.Redesign(manager));
        object Approve() => new { by = manager, outcome = "approved", rationale = "r", basedOnPriorities = new[] { priority }, decisionMakers = new[] { manager }, expectedVersion = 1 };
        await StepAsync(notImplemented, "decision", Approve());
        await StepAsync(notMeasured, "decision", Approve());
        await StepAsync(notMeasured, "implementations", new { by = manager, whatChanged = "x", implementedOn = "2026-11-01T00:00:00Z" });

        var loops = await Host.GetJsonAsync("/api/open-loops");

        Guid[] Ids(string list) => loops.GetProperty(list).EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ToArray();
        Assert.Contains(notImplemented, Ids("decisionsWithoutImplementation"));
        Assert.DoesNotContain(notMeasured, Ids("decisionsWithoutImplementation"));
        Assert.Contains(notMeasured, Ids("implementationsWithoutOutcome"));
        Assert.DoesNotContain(notImplemented, Ids("outcomesWithoutEvaluation"));
    }
}
