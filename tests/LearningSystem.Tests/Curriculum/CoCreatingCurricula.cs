using System.Text.Json;
using Alba;
using LearningSystem.Tests.Priorities;
using Npgsql;

namespace LearningSystem.Tests.Curriculum;

[Collection(ServiceGroup.Name)]
public sealed class CoCreatingCurricula(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    private async Task<JsonElement> PostAsync(string url, object body, int status = 201)
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl(url);
            s.StatusCodeShouldBe(status);
        });
        return await result.ReadAsJsonAsync<JsonElement>();
    }

    private static object Proposal(Guid by, params (Guid Participant, string Role)[] coDesigners) => new
    {
        course = "MBBS Year 3", module = "Clinical Communication", learningOutcome = "Explain a delay to a waiting patient.",
        proposedChange = "Patient educators co-teach a session on waiting.", proposedBy = by,
        coDesigners = coDesigners.Select(d => new { participant = d.Participant, role = d.Role }).ToArray(),
    };

    private async Task<(Guid Change, Guid Educator, Guid Patient)> ApprovedChangeAsync()
    {
        var educator = await Host.ParticipantAsync("Dr Lim", "educator");
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");
        var change = await Host.CreateAsync("/api/curriculum-changes", Proposal(educator, (patient, "patientEducator")));
        var priority = await Host.SetPriorityAsync(patient, "Students learn to explain delays");
        await Host.MoveAsync(priority, "decision", new { by = educator, outcome = "agreed", rationale = "Agreed", decisionMakers = new[] { educator, patient }, expectedVersion = 1 });
        await PostAsync($"/api/curriculum-changes/{change}/decision", new
        {
            by = educator, outcome = "approved", rationale = "Serves the priority", basedOnPriorities = new[] { priority }, decisionMakers = new[] { educator, patient }, expectedVersion = 1,
        });
        return (change, educator, patient);
    }

    [Fact]
    public async Task A_proposal_keeps_its_co_designers_with_their_roles_and_groups()
    {
        var educator = await Host.ParticipantAsync("Dr Lim", "educator");
        var patient = await Host.ParticipantAsync("Mr Okafor", "patient");
        var peer = await Host.ParticipantAsync("Tom", "student");
        var nurse = await Host.ParticipantAsync("Sister Ada", "nurse");

        var change = await Host.CreateAsync("/api/curriculum-changes", Proposal(educator, (patient, "patientEducator"), (peer, "peerStudent"), (nurse, "otherProfession")));

        var view = await Host.GetJsonAsync($"/api/curriculum-changes/{change}");
        Assert.Equal(
            [("patientEducator", "patient"), ("peerStudent", "student"), ("otherProfession", "nurse")],
            view.GetProperty("coDesigners").EnumerateArray().Select(d => (d.GetProperty("role").GetString(), d.GetProperty("group").GetString())));
        Assert.Equal("Explain a delay to a waiting patient.", view.GetProperty("negotiation").GetProperty("wording").GetString());
        Assert.Contains(change, (await Host.GetJsonAsync("/api/curriculum-changes?course=MBBS%20Year%203")).EnumerateArray().Select(c => c.GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task Bad_proposals_are_problems_naming_the_field_and_store_nothing()
    {
        var educator = await Host.ParticipantAsync("Dr Lim", "educator");
        var withoutEducationConsent = await Host.CreateAsync("/api/patient-feedback", Requests.Feedback());
        var before = await service.EventCountAsync();

        var missing = await PostAsync("/api/curriculum-changes", new { }, 400);
        foreach (var field in new[] { "course", "learningOutcome", "proposedChange", "proposedBy", "coDesigners" })
        {
            Assert.True(missing.GetProperty("errors").TryGetProperty(field, out _), $"{field} should be named");
        }

        var badRole = await PostAsync("/api/curriculum-changes", Proposal(educator, (educator, "mentor")), 400);
        Assert.Contains("patientEducator", badRole.GetRawText(), StringComparison.Ordinal);
        await PostAsync("/api/curriculum-changes", Proposal(educator, (Guid.NewGuid(), "peerStudent")), 404);
        await PostAsync("/api/curriculum-changes", Proposal(educator, (educator, "educator"), (educator, "peerStudent")), 400);
        await PostAsync("/api/curriculum-changes", Proposal(Guid.NewGuid(), (educator, "educator")), 404);
        var unconsented = await PostAsync("/api/curriculum-changes", new
        {
            course = "MBBS", learningOutcome = "x", proposedChange = "y", proposedBy = educator,
            coDesigners = new[] { new { participant = educator, role = "educator" } }, evidence = new[] { withoutEducationConsent },
        }, 400);
        Assert.Contains("education", unconsented.GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Equal(before, await service.EventCountAsync());
    }

    [Fact]
    public async Task An_approved_change_is_taught_and_reflected_on_and_the_reflections_are_sealed()
    {
        var (change, educator, patient) = await ApprovedChangeAsync();
        var learned = $"Students fear uncertainty {Guid.NewGuid():N}";

        var session = (await PostAsync($"/api/curriculum-changes/{change}/teaching-sessions", new
        {
            by = educator, title = "Waiting and uncertainty", deliveredOn = "2026-11-19T14:00:00Z", teachers = new[] { patient, educator }, learners = 24,
        })).GetProperty("id").GetGuid();
        var reflection = await Host.CreateAsync($"/api/curriculum-changes/{change}/reflections", new { by = patient, sessionId = session, learned, taught = "What waiting feels like" });

        var read = await Host.GetJsonAsync($"/api/reflections/{reflection}");
        Assert.Equal((learned, "patient"), (read.GetProperty("learned").GetString(), read.GetProperty("byGroup").GetString()));
        Assert.Single((await Host.GetJsonAsync($"/api/curriculum-changes/{change}/reflections?by={patient}")).EnumerateArray());
        Assert.DoesNotContain(learned, await StoredTextAsync(reflection), StringComparison.Ordinal);

        // Erasing the author shreds their reflections; the fact that they reflected stays.
        await PostAsync($"/api/participants/{patient}/erasure", new { reason = "Left the programme.", legalBasis = "consentWithdrawn" }, 200);
        Assert.Equal("[erased]", (await Host.GetJsonAsync($"/api/reflections/{reflection}")).GetProperty("learned").GetString());
    }

    [Fact]
    public async Task Teaching_before_approval_in_the_future_or_by_strangers_is_refused_and_stores_nothing()
    {
        var educator = await Host.ParticipantAsync("Dr Lim", "educator");
        var proposed = await Host.CreateAsync("/api/curriculum-changes", Proposal(educator, (educator, "educator")));
        var (approved, lim, _) = await ApprovedChangeAsync();
        var before = await service.EventCountAsync();

        object Session(Guid by, string on, params Guid[] teachers) => new { by, title = "t", deliveredOn = on, teachers, learners = 10 };
        await PostAsync($"/api/curriculum-changes/{proposed}/teaching-sessions", Session(educator, "2026-11-19T14:00:00Z", educator), 409);
        await PostAsync($"/api/curriculum-changes/{approved}/teaching-sessions", Session(lim, "2026-12-01T14:00:00Z", lim), 400);
        await PostAsync($"/api/curriculum-changes/{approved}/teaching-sessions", Session(lim, "2026-11-19T14:00:00Z", Guid.NewGuid()), 404);
        await PostAsync($"/api/curriculum-changes/{approved}/teaching-sessions", new { by = lim }, 400);
        await PostAsync($"/api/curriculum-changes/{Guid.NewGuid()}/teaching-sessions", Session(lim, "2026-11-19T14:00:00Z", lim), 404);
        await PostAsync($"/api/curriculum-changes/{approved}/reflections", new { by = lim, learned = "a", taught = "b", sessionId = Guid.NewGuid() }, 404);
        var halfReflection = await PostAsync($"/api/curriculum-changes/{approved}/reflections", new { by = lim, learned = "a" }, 400);
        Assert.True(halfReflection.GetProperty("errors").TryGetProperty("taught", out _));

        Assert.Equal(before, await service.EventCountAsync());
    }

    private async Task<string> StoredTextAsync(Guid stream)
    {
        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            select coalesce(string_agg(t, E'\n'), '') from (
              select data::text as t from learningsystem.mt_events where stream_id = @id
              union all select data::text from learningsystem.mt_doc_reflection where id = @id) rows
            """, connection);
        command.Parameters.AddWithValue("id", stream);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
