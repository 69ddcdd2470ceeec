using Alba;
using Newtonsoft.Json.Linq;
using Snapshooter.Xunit;

namespace LearningSystem.Tests.Priorities;

[Collection(ServiceGroup.Name)]
public sealed class ReadingWhoSetWhat(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    [Fact]
    public async Task Priorities_are_listed_by_the_participant_and_the_group_that_set_them()
    {
        var carer = await Host.ParticipantAsync($"Carer {Guid.NewGuid():N}", "carer");
        var other = await Host.ParticipantAsync("Someone else", "educator");
        var mine = await Host.SetPriorityAsync(carer, "Carers told about discharge plans");
        await Host.SetPriorityAsync(other, "Teaching on co-creation");

        var byParticipant = await Host.GetJsonAsync($"/api/participants/{carer}/priorities");
        var byGroup = await Host.GetJsonAsync("/api/priorities?setByGroup=carer");

        Assert.Equal([mine], byParticipant.EnumerateArray().Select(p => p.GetProperty("id").GetGuid()));
        Assert.Contains(mine, byGroup.EnumerateArray().Select(p => p.GetProperty("id").GetGuid()));
        Assert.All(byGroup.EnumerateArray(), p => Assert.Equal("carer", p.GetProperty("setByGroup").GetString()));
        await Host.GetJsonAsync($"/api/participants/{Guid.NewGuid()}/priorities", 404);
        await Host.GetJsonAsync("/api/priorities?setByGroup=aliens", 400);
        await Host.GetJsonAsync("/api/priorities?roundId=not-a-round", 400);
    }

    [Fact]
    public async Task Provenance_shows_who_set_it_every_move_every_wording_and_the_decision()
    {
        service.Clock.Now = TestClock.Start;
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");
        var nurse = await Host.ParticipantAsync("Sister Ada", "nurse");
        var priority = await Host.SetPriorityAsync(jenny);
        await Host.MoveAsync(priority, "endorsements", new { by = patient, comment = "This matters to me" });
        var objection = (await Host.MoveAsync(priority, "objections", new { by = nurse, reason = "Waits are not the main problem; not knowing is" })).GetProperty("id").GetGuid();
        var amendment = (await Host.MoveAsync(priority, "amendments", new { by = patient, wording = "Tell patients how long they will wait", reason = "Answers the nurse's objection", expectedVersion = 3 })).GetProperty("id").GetGuid();
        await Host.MoveAsync(priority, $"amendments/{amendment}/acceptance", new { by = jenny, reason = "Better wording", expectedVersion = 4 });
        await Host.MoveAsync(priority, "decision", new
        {
            by = nurse, outcome = "agreed", rationale = "Agreed by patients, nurses and students at the clinic meeting",
            decisionMakers = new[] { jenny, patient, nurse }, answersObjections = new[] { objection }, answersAmendments = new[] { amendment }, expectedVersion = 5,
        });

        var result = await Host.Scenario(s => s.Get.Url($"/api/priorities/{priority}/provenance"));
        var json = (await result.ReadAsTextAsync())
            .Replace(priority.ToString(), "<priority>", StringComparison.Ordinal)
            .Replace(jenny.ToString(), "<jenny>", StringComparison.Ordinal)
            .Replace(patient.ToString(), "<patient>", StringComparison.Ordinal)
            .Replace(nurse.ToString(), "<nurse>", StringComparison.Ordinal)
            .Replace(objection.ToString(), "<objection>", StringComparison.Ordinal)
            .Replace(amendment.ToString(), "<amendment>", StringComparison.Ordinal);

        Snapshot.Match(JToken.Parse(json), "priority-provenance");
    }
}
