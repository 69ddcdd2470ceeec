using System.Net;
using Alba;

namespace LearningSystem.Tests.Priorities;

[Collection(ServiceGroup.Name)]
public sealed class NegotiatingPriorities(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    [Fact]
    public async Task Setting_a_priority_answers_201_and_the_view_shows_it()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");

        var id = await Host.SetPriorityAsync(jenny);

        var view = await Host.GetJsonAsync($"/api/priorities/{id}");
        Assert.Equal("Shorter waits in the diabetes clinic", view.GetProperty("statement").GetString());
        Assert.Equal(jenny, view.GetProperty("setBy").GetGuid());
        Assert.Equal("student", view.GetProperty("setByGroup").GetString());
        Assert.Equal("open", view.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Setting_by_an_unknown_participant_is_404_and_without_fields_400()
    {
        await Host.Scenario(s =>
        {
            s.Post.Json(new { statement = "x", rationale = "y", setBy = Guid.NewGuid() }).ToUrl("/api/priorities");
            s.StatusCodeShouldBe(404);
        });
        await Host.Scenario(s =>
        {
            s.Post.Json(new { }).ToUrl("/api/priorities");
            s.StatusCodeShouldBe(400);
        });
    }

    [Fact]
    public async Task Every_move_answers_201_with_the_new_version_and_the_id_of_what_it_created()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");
        var nurse = await Host.ParticipantAsync("Sister Ada", "nurse");
        var priority = await Host.SetPriorityAsync(jenny);

        var endorsed = await Host.MoveAsync(priority, "endorsements", new { by = patient, comment = "Yes" });
        Assert.Equal(2, endorsed.GetProperty("version").GetInt64());
        Assert.False(endorsed.TryGetProperty("id", out _));

        var objection = await Host.MoveAsync(priority, "objections", new { by = nurse, reason = "Waits are not the main problem" });
        Assert.Equal(3, objection.GetProperty("version").GetInt64());
        var objectionId = objection.GetProperty("id").GetGuid();

        var amendment = await Host.MoveAsync(priority, "amendments", new { by = patient, wording = "Tell patients how long they will wait", reason = "Not knowing is worse", expectedVersion = 3 });
        var amendmentId = amendment.GetProperty("id").GetGuid();
        Assert.Equal(4, amendment.GetProperty("version").GetInt64());
        Assert.Equal(5, (await Host.MoveAsync(priority, $"amendments/{amendmentId}/acceptance", new { by = jenny, expectedVersion = 4 })).GetProperty("version").GetInt64());
        Assert.Equal(6, (await Host.MoveAsync(priority, $"objections/{objectionId}/withdrawal", new { by = nurse, reason = "The new wording meets it" })).GetProperty("version").GetInt64());

        var view = await Host.GetJsonAsync($"/api/priorities/{priority}");
        Assert.Equal("Tell patients how long they will wait", view.GetProperty("statement").GetString());
        Assert.Equal(2, view.GetProperty("negotiation").GetProperty("wordings").GetArrayLength());
        Assert.Equal(6, view.GetProperty("version").GetInt64());
        var withdrawn = Assert.Single((await Host.GetJsonAsync($"/api/priorities/{priority}/objections")).EnumerateArray());
        Assert.Equal((objectionId, false, false, 3L), (withdrawn.GetProperty("id").GetGuid(), withdrawn.GetProperty("open").GetBoolean(),
            withdrawn.GetProperty("answered").GetBoolean(), withdrawn.GetProperty("version").GetInt64()));
    }

    [Fact]
    public async Task An_objection_is_withdrawn_or_answered_only_through_the_priority_it_was_raised_on()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var nurse = await Host.ParticipantAsync("Sister Ada", "nurse");
        var mine = await Host.SetPriorityAsync(jenny);
        var other = await Host.SetPriorityAsync(jenny);
        var elsewhere = (await Host.MoveAsync(other, "objections", new { by = nurse, reason = "Raised on the other one" })).GetProperty("id").GetGuid();

        await Host.MoveAsync(mine, $"objections/{elsewhere}/withdrawal", new { by = nurse }, 404);
        var problem = await Host.MoveAsync(mine, "decision", new
        {
            by = jenny, outcome = "agreed", rationale = "Agreed", decisionMakers = new[] { jenny }, answersObjections = new[] { elsewhere }, expectedVersion = 1,
        }, 404);

        Assert.True(problem.GetProperty("errors").TryGetProperty("answersObjections", out _));
        Assert.True(Assert.Single((await Host.GetJsonAsync($"/api/priorities/{other}/objections")).EnumerateArray()).GetProperty("open").GetBoolean());
        Assert.Empty((await Host.GetJsonAsync($"/api/priorities/{mine}/objections")).EnumerateArray());
    }

    [Fact]
    public async Task A_stale_expected_version_is_409_with_the_current_version_in_body_or_if_match()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");
        var priority = await Host.SetPriorityAsync(jenny);
        await Host.MoveAsync(priority, "endorsements", new { by = patient });

        var fromBody = await Host.MoveAsync(priority, "amendments", new { by = patient, wording = "New", reason = "Better", expectedVersion = 1 }, 409);
        var fromHeader = await Host.MoveAsync(priority, "amendments", new { by = patient, wording = "New", reason = "Better" }, 409, ifMatch: "\"1\"");

        Assert.Equal(2, fromBody.GetProperty("currentVersion").GetInt64());
        Assert.Equal(2, fromHeader.GetProperty("currentVersion").GetInt64());
        await Host.MoveAsync(priority, "amendments", new { by = patient, wording = "New", reason = "Better" }, 201, ifMatch: "W/\"2\"");
    }

    [Fact]
    public async Task Moves_that_depend_on_the_wording_must_carry_a_version()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var priority = await Host.SetPriorityAsync(jenny);

        var problem = await Host.MoveAsync(priority, "amendments", new { by = jenny, wording = "New", reason = "Better" }, 400);
        await Host.MoveAsync(priority, "decision", new { by = jenny, outcome = "agreed", rationale = "Fine", decisionMakers = new[] { jenny } }, 400);
        await Host.MoveAsync(priority, "amendments", new { by = jenny, wording = "New", reason = "Better", expectedVersion = 2 }, 400, ifMatch: "\"1\"");

        Assert.True(problem.GetProperty("errors").TryGetProperty("expectedVersion", out _));
    }

    [Fact]
    public async Task After_a_decision_moves_are_409_until_it_is_reopened()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");
        var priority = await Host.SetPriorityAsync(jenny);
        var objection = (await Host.MoveAsync(priority, "objections", new { by = patient, reason = "Too vague" })).GetProperty("id").GetGuid();

        await Host.MoveAsync(priority, "decision", new
        {
            by = jenny, outcome = "agreed", rationale = "Patients and staff agreed", decisionMakers = new[] { jenny, patient },
            answersObjections = new[] { objection }, expectedVersion = 2,
        });

        var refused = await Host.MoveAsync(priority, "endorsements", new { by = patient }, 409);
        Assert.Contains("reopen", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Host.MoveAsync(priority, "reopening", new { by = patient, reason = "New evidence from the survey", expectedVersion = 3 });
        await Host.MoveAsync(priority, "endorsements", new { by = patient });
        Assert.Equal("open", (await Host.GetJsonAsync($"/api/priorities/{priority}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Unknown_priorities_objections_amendments_and_participants_are_404()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var priority = await Host.SetPriorityAsync(jenny);

        await Host.MoveAsync(Guid.NewGuid(), "endorsements", new { by = jenny }, 404);
        await Host.MoveAsync(priority, "endorsements", new { by = Guid.NewGuid() }, 404);
        await Host.MoveAsync(priority, $"objections/{Guid.NewGuid()}/withdrawal", new { by = jenny }, 404);
        await Host.MoveAsync(priority, $"amendments/{Guid.NewGuid()}/rejection", new { by = jenny, reason = "No", expectedVersion = 1 }, 404);
        await Host.MoveAsync(priority, "merge", new { by = jenny, into = Guid.NewGuid(), expectedVersion = 1 }, 404);
        await Host.MoveAsync(priority, "decision", new { by = jenny, outcome = "agreed", rationale = "Ok", decisionMakers = new[] { Guid.NewGuid() }, expectedVersion = 1 }, 404);
        await Host.GetJsonAsync($"/api/priorities/{Guid.NewGuid()}", 404);
        await Host.GetJsonAsync($"/api/priorities/{Guid.NewGuid()}/provenance", 404);
    }

    [Fact]
    public async Task Objections_and_amendment_rejections_need_a_reason()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");
        var priority = await Host.SetPriorityAsync(jenny);
        var amendment = (await Host.MoveAsync(priority, "amendments", new { by = patient, wording = "New", reason = "Better", expectedVersion = 1 })).GetProperty("id").GetGuid();

        await Host.MoveAsync(priority, "objections", new { by = patient }, 400);
        await Host.MoveAsync(priority, $"amendments/{amendment}/rejection", new { by = jenny, expectedVersion = 2 }, 400);
        await Host.MoveAsync(priority, "decision", new { by = jenny, outcome = "maybe", rationale = "", decisionMakers = Array.Empty<Guid>(), expectedVersion = 2 }, 400);
    }

    [Fact]
    public async Task Only_the_setter_withdraws_and_a_withdrawn_priority_takes_no_moves()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var nurse = await Host.ParticipantAsync("Sister Ada", "nurse");
        var priority = await Host.SetPriorityAsync(jenny);

        await Host.MoveAsync(priority, "withdrawal", new { by = nurse }, 409);
        await Host.MoveAsync(priority, "withdrawal", new { by = jenny, reason = "Covered by another" });
        await Host.MoveAsync(priority, "endorsements", new { by = nurse }, 409);
    }

    [Fact]
    public async Task Counter_proposals_and_merges_link_both_ways()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var nurse = await Host.ParticipantAsync("Sister Ada", "nurse");
        var first = await Host.SetPriorityAsync(jenny);
        var second = await Host.SetPriorityAsync(jenny, "Text patients about clinic delays");

        var counter = await Host.MoveAsync(first, "counter-proposals", new { by = nurse, statement = "More nurses in clinic", rationale = "Staffing is the cause" });
        var alternative = counter.GetProperty("id").GetGuid();
        await Host.MoveAsync(second, "merge", new { by = jenny, into = first, reason = "Same concern", expectedVersion = 1 });

        var firstView = await Host.GetJsonAsync($"/api/priorities/{first}");
        Assert.Equal([alternative], firstView.GetProperty("counterProposals").EnumerateArray().Select(x => x.GetGuid()));
        Assert.Equal([second], firstView.GetProperty("mergedFrom").EnumerateArray().Select(x => x.GetGuid()));
        var secondView = await Host.GetJsonAsync($"/api/priorities/{second}");
        Assert.Equal(first, secondView.GetProperty("mergedInto").GetGuid());
        Assert.Equal("merged", secondView.GetProperty("status").GetString());
        var alternativeView = await Host.GetJsonAsync($"/api/priorities/{alternative}");
        Assert.Equal(first, alternativeView.GetProperty("counterTo").GetGuid());
        Assert.Equal("nurse", alternativeView.GetProperty("setByGroup").GetString());
        await Host.MoveAsync(second, "endorsements", new { by = nurse }, 409);
    }

    [Fact]
    public async Task The_priority_and_its_moves_carry_the_version_as_etag()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var priority = await Host.SetPriorityAsync(jenny);

        var read = await Host.Scenario(s => s.Get.Url($"/api/priorities/{priority}"));
        var moved = await Host.Scenario(s =>
        {
            s.Post.Json(new { by = jenny }).ToUrl($"/api/priorities/{priority}/endorsements");
            s.StatusCodeShouldBe(HttpStatusCode.Created);
        });

        Assert.Equal("\"1\"", read.Context.Response.Headers.ETag.ToString());
        Assert.Equal("\"2\"", moved.Context.Response.Headers.ETag.ToString());
        // A move names the item it acted on, as a create names the item it made.
        Assert.Equal($"/api/priorities/{priority}", moved.Context.Response.Headers.Location.ToString());
        var created = await Host.Scenario(s =>
        {
            s.Post.Json(new { setBy = jenny, statement = "Explain delays at the desk", rationale = "People ask." }).ToUrl("/api/priorities");
            s.StatusCodeShouldBe(HttpStatusCode.Created);
        });
        Assert.Equal("\"1\"", created.Context.Response.Headers.ETag.ToString());
        Assert.StartsWith("/api/priorities/", created.Context.Response.Headers.Location.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sixteen_moves_racing_at_one_version_give_one_success_and_fifteen_conflicts()
    {
        var jenny = await Host.ParticipantAsync("Jenny", "student");
        var priority = await Host.SetPriorityAsync(jenny);
        var endorsers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Host.ParticipantAsync($"Endorser {i}", "patient")));

        var statuses = await Task.WhenAll(endorsers.Select(async by =>
        {
            var result = await Host.Scenario(s =>
            {
                s.Post.Json(new { by, expectedVersion = 1 }).ToUrl($"/api/priorities/{priority}/endorsements");
                s.IgnoreStatusCode();
            });
            return result.Context.Response.StatusCode;
        }));

        Assert.Equal(1, statuses.Count(s => s == 201));
        Assert.Equal(15, statuses.Count(s => s == 409));
        Assert.Equal(2, (await Host.GetJsonAsync($"/api/priorities/{priority}")).GetProperty("version").GetInt64());
    }
}
