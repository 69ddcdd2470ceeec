using System.Diagnostics;
using System.Text.Json;
using Alba;
using LearningSystem.LocalPostgres;
using Npgsql;

namespace LearningSystem.Tests.PersonalData;

[Collection(ServiceGroup.Name)]
public sealed class ProtectingPersonalData(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    private static object Erasure => new { reason = "The patient withdrew consent by letter.", legalBasis = "consentWithdrawn" };

    [Fact]
    public async Task Personal_fields_are_stored_sealed_and_read_in_clear()
    {
        var name = $"Jenny-{Guid.NewGuid():N}";
        var comment = $"Waited for ages {Guid.NewGuid():N}";
        var patientRef = $"ref-{Guid.NewGuid():N}";
        var jenny = await Host.CreateAsync("/api/participants", new { displayName = name, stakeholderGroup = "student" });
        var feedback = await Host.CreateAsync("/api/patient-feedback", FeedbackFrom(patientRef, comment));

        Assert.Equal(name, (await Host.GetJsonAsync($"/api/participants/{jenny}")).GetProperty("displayName").GetString());
        var view = await Host.GetJsonAsync($"/api/patient-feedback/{feedback}");
        Assert.Equal(comment, view.GetProperty("comment").GetString());
        Assert.Equal(patientRef, view.GetProperty("patientRef").GetString());
        var history = await Host.GetJsonAsync($"/api/streams/{jenny}/events");
        Assert.Equal(name, history[0].GetProperty("data").GetProperty("displayName").GetString());

        var stored = await AllStoredTextAsync();
        Assert.DoesNotContain(name, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(comment, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(patientRef, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasing_a_participant_leaves_the_history_and_shows_the_marker()
    {
        var name = $"Jenny-{Guid.NewGuid():N}";
        var jenny = await Host.CreateAsync("/api/participants", new { displayName = name, stakeholderGroup = "student" });
        var redesign = await Host.CreateAsync("/api/service-redesigns", Requests.Redesign(jenny));

        var first = await EraseAsync($"/api/participants/{jenny}/erasure");

        Assert.Equal("consentWithdrawn", first.GetProperty("legalBasis").GetString());
        Assert.Equal("[erased]", (await Host.GetJsonAsync($"/api/participants/{jenny}")).GetProperty("displayName").GetString());
        Assert.Equal("[erased]", (await Host.GetJsonAsync($"/api/service-redesigns/{redesign}")).GetProperty("proposedBy").GetProperty("displayName").GetString());
        var history = (await Host.GetJsonAsync($"/api/streams/{jenny}/events")).EnumerateArray().ToArray();
        Assert.Equal(["participant_registered", "participant_erased"], history.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("[erased]", history[0].GetProperty("data").GetProperty("displayName").GetString());
        Assert.Equal("The patient withdrew consent by letter.", history[1].GetProperty("data").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Erasing_twice_answers_the_same_and_appends_nothing()
    {
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny);
        var first = await EraseAsync($"/api/participants/{jenny}/erasure");
        var events = await service.EventCountAsync();

        var second = await EraseAsync($"/api/participants/{jenny}/erasure");

        Assert.Equal(first.GetRawText(), second.GetRawText());
        Assert.Equal(events, await service.EventCountAsync());
    }

    [Fact]
    public async Task Erasing_a_patient_erases_all_their_feedback_and_nobody_elses()
    {
        var patientRef = $"ref-{Guid.NewGuid():N}";
        var theirs = new[]
        {
            await Host.CreateAsync("/api/patient-feedback", FeedbackFrom(patientRef, "First visit was slow")),
            await Host.CreateAsync("/api/patient-feedback", FeedbackFrom(patientRef, "Second visit was slow too")),
        };
        var someoneElses = await Host.CreateAsync("/api/patient-feedback", FeedbackFrom($"ref-{Guid.NewGuid():N}", "Lovely nurses"));

        var first = await EraseAsync($"/api/patient-feedback/subjects/{patientRef}/erasure");
        var events = await service.EventCountAsync();
        var second = await EraseAsync($"/api/patient-feedback/subjects/{patientRef}/erasure");

        Assert.Equal(first.GetRawText(), second.GetRawText());
        Assert.Equal(events, await service.EventCountAsync());
        foreach (var id in theirs)
        {
            var view = await Host.GetJsonAsync($"/api/patient-feedback/{id}");
            Assert.Equal("[erased]", view.GetProperty("comment").GetString());
            Assert.Equal("[erased]", view.GetProperty("patientRef").GetString());
            Assert.Equal("poor", view.GetProperty("rating").GetString());
        }

        Assert.Equal("Lovely nurses", (await Host.GetJsonAsync($"/api/patient-feedback/{someoneElses}")).GetProperty("comment").GetString());
    }

    [Fact]
    public async Task Writers_racing_to_record_an_organisations_first_patient_feedback_all_succeed()
    {
        var organisation = $"trust-{Guid.NewGuid():N}"[..20];
        var patientRef = $"ref-{Guid.NewGuid():N}";

        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Host.CreateAsync("/api/patient-feedback", FeedbackFrom(patientRef, $"Visit {i}"), organisation)));

        foreach (var id in ids)
        {
            var view = await Host.GetJsonAsync($"/api/patient-feedback/{id}", organisation: organisation);
            Assert.Equal(patientRef, view.GetProperty("patientRef").GetString());
        }

        // One pepper per organisation: every feedback names the same patient.
        var subjects = await Task.WhenAll(ids.Select(async id =>
            (await Host.GetJsonAsync($"/api/patient-feedback/{id}", organisation: organisation)).GetProperty("dataSubject").GetString()));
        Assert.Single(subjects.Distinct());
    }

    [Fact]
    public async Task The_erasure_records_who_asked()
    {
        var dpo = await Host.CreateAsync("/api/participants", new { displayName = "Data Protection Officer", stakeholderGroup = "manager" });
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny);

        await Host.Scenario(s =>
        {
            s.Post.Json(new { reason = "Subject access request", legalBasis = "consentWithdrawn", requestedBy = dpo }).ToUrl($"/api/participants/{jenny}/erasure");
            s.StatusCodeShouldBe(200);
        });

        var erased = (await Host.GetJsonAsync($"/api/streams/{jenny}/events"))[1];
        Assert.Equal(dpo, erased.GetProperty("data").GetProperty("requestedBy").GetGuid());
        Assert.Equal(dpo, erased.GetProperty("actingParticipant").GetGuid());
    }

    [Fact]
    public async Task Erasure_requested_by_an_unknown_participant_is_404_and_erases_nothing()
    {
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny);

        await Host.Scenario(s =>
        {
            s.Post.Json(new { reason = "x", legalBasis = "consentWithdrawn", requestedBy = Guid.NewGuid() }).ToUrl($"/api/participants/{jenny}/erasure");
            s.StatusCodeShouldBe(404);
        });

        Assert.Equal("Jenny", (await Host.GetJsonAsync($"/api/participants/{jenny}")).GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task Erasing_an_unknown_subject_is_404()
    {
        await EraseAsync($"/api/participants/{Guid.NewGuid()}/erasure", 404);
        await EraseAsync($"/api/patient-feedback/subjects/never-seen-{Guid.NewGuid():N}/erasure", 404);
    }

    [Fact]
    public async Task An_erasure_needs_a_reason_and_a_known_legal_basis()
    {
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny);

        var result = await Host.Scenario(s =>
        {
            s.Post.Json(new { reason = "", legalBasis = "because" }).ToUrl($"/api/participants/{jenny}/erasure");
            s.StatusCodeShouldBe(400);
        });

        var errors = (await result.ReadAsJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("reason", out _));
        Assert.True(errors.TryGetProperty("legalBasis", out _));
        Assert.Equal("Jenny", (await Host.GetJsonAsync($"/api/participants/{jenny}")).GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task After_erasure_a_database_dump_holds_none_of_the_persons_text_and_the_rest_still_reads()
    {
        var name = $"Zebedee-{Guid.NewGuid():N}";
        var patientRef = $"nhs-{Guid.NewGuid():N}";
        var comment = $"My name is {name} and I was kept waiting";
        var participant = await Host.CreateAsync("/api/participants", new { displayName = name, stakeholderGroup = "patient" });
        var feedback = await Host.CreateAsync("/api/patient-feedback", FeedbackFrom(patientRef, comment));
        var other = await Host.CreateAsync("/api/participants", new { displayName = "Still Here", stakeholderGroup = "carer" });

        await EraseAsync($"/api/participants/{participant}/erasure");
        await EraseAsync($"/api/patient-feedback/subjects/{patientRef}/erasure");

        var dump = await DumpAsync();
        Assert.Contains(participant.ToString(), dump, StringComparison.Ordinal);
        Assert.DoesNotContain(name, dump, StringComparison.Ordinal);
        Assert.DoesNotContain(patientRef, dump, StringComparison.Ordinal);
        Assert.DoesNotContain("kept waiting", dump, StringComparison.Ordinal);
        Assert.Equal("Still Here", (await Host.GetJsonAsync($"/api/participants/{other}")).GetProperty("displayName").GetString());
        Assert.Equal("[erased]", (await Host.GetJsonAsync($"/api/patient-feedback/{feedback}")).GetProperty("comment").GetString());
        Assert.Equal(2, (await Host.GetJsonAsync($"/api/streams/{participant}/events")).GetArrayLength());
    }

    private static object FeedbackFrom(string patientRef, string comment) => new
    {
        service = "Outpatient Diabetes Clinic",
        source = "ward-survey-kiosk",
        receivedAt = "2026-11-18T09:30:00Z",
        rating = "poor",
        comment,
        patientRef,
        consent = new[] { "serviceImprovement" },
    };

    private async Task<JsonElement> EraseAsync(string url, int status = 200)
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(Erasure).ToUrl(url);
            s.StatusCodeShouldBe(status);
        });
        return await result.ReadAsJsonAsync<JsonElement>();
    }

    // Every event and document row as text, the way anyone with database access would see it.
    private async Task<string> AllStoredTextAsync()
    {
        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            select coalesce(string_agg(t::text, E'\n'), '') from (
              select to_jsonb(e)::text as t from learningsystem.mt_events e
              union all select to_jsonb(p)::text from learningsystem.mt_doc_participant p
              union all select to_jsonb(f)::text from learningsystem.mt_doc_patientfeedback f
              union all select to_jsonb(k)::text from learningsystem.mt_doc_subjectkey k) rows
            """, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string> DumpAsync()
    {
        var connection = new NpgsqlConnectionStringBuilder(service.ConnectionString);
        var info = new ProcessStartInfo(Path.Combine(PostgresBinaries.Find(), "pg_dump"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-h", connection.Host!, "-p", connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", connection.Username!, connection.Database! })
        {
            info.ArgumentList.Add(argument);
        }

        using var dump = Process.Start(info)!;
        var error = dump.StandardError.ReadToEndAsync();
        var output = await dump.StandardOutput.ReadToEndAsync();
        await dump.WaitForExitAsync();
        Assert.True(dump.ExitCode == 0, await error);
        Assert.Contains("mt_events", output, StringComparison.Ordinal);
        return output;
    }
}
