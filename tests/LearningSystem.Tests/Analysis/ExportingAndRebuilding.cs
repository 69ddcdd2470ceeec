using System.Text.Json;
using Alba;
using JennysStory;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace LearningSystem.Tests.Analysis;

[Collection(ServiceGroup.Name)]
public sealed class ExportingAndRebuilding(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    private Task<(StoryOutcome Outcome, string Organisation)> StoryAsync() => service.PlayJennysStoryAsync("export");

    private Task<(string Text, string ContentType)> ReadAsync(string url, string organisation) => Host.GetTextAsync(url, organisation);

    private async Task<JsonElement[]> ExportAsync(string organisation, string query = "")
    {
        var (text, type) = await ReadAsync($"/api/export/events{query}", organisation);
        Assert.Equal("application/x-ndjson", type);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToArray();
    }

    [Fact]
    public async Task The_organisations_events_stream_as_ndjson_without_personal_text_and_resume_from_a_sequence()
    {
        var (outcome, organisation) = await StoryAsync();

        var all = await ExportAsync(organisation);
        var (raw, _) = await ReadAsync("/api/export/events", organisation);

        Assert.True(all.Length > 50);
        var sequences = all.Select(e => e.GetProperty("sequence").GetInt64()).ToArray();
        Assert.Equal(sequences.Order(), sequences);
        Assert.DoesNotContain("pd1:", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("nobody told me why", raw, StringComparison.Ordinal);
        var feedback = all.First(e => e.GetProperty("type").GetString() == "patient_feedback_recorded");
        Assert.Equal("[withheld]", feedback.GetProperty("data").GetProperty("comment").GetString());
        Assert.Equal(outcome.FirstFeedback, feedback.GetProperty("streamId").GetGuid());

        var resumed = await ExportAsync(organisation, $"?after={sequences[9]}");
        Assert.Equal(sequences.Skip(10), resumed.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Empty(await ExportAsync("another-trust", $"?after={sequences[0] - 1}&types=objection_raised&participant={outcome.People["ada"]}"));
    }

    [Fact]
    public async Task An_export_for_research_opens_the_text_of_patients_who_consented_to_it_until_they_are_erased()
    {
        var organisation = $"export-consent-{Guid.NewGuid():N}";
        var consenting = $"ref-{Guid.NewGuid():N}";
        object Feedback(string patientRef, string comment, params string[] consent) => new
        {
            service = "Outpatient Diabetes Clinic", source = "ward-survey-kiosk", receivedAt = "2026-11-18T09:30:00Z", rating = "poor",
            comment, patientRef, consent,
        };
        var researched = await Host.CreateAsync("/api/patient-feedback", Feedback(consenting, "Nobody said how long", "serviceImprovement", "research"), organisation);
        var improvedOnly = await Host.CreateAsync("/api/patient-feedback", Feedback($"ref-{Guid.NewGuid():N}", "The chairs were hard", "serviceImprovement"), organisation);

        async Task<Dictionary<Guid, JsonElement>> FeedbackDataAsync(string query) =>
            (await ExportAsync(organisation, query)).ToDictionary(e => e.GetProperty("streamId").GetGuid(), e => e.GetProperty("data"));
        var forResearch = await FeedbackDataAsync("?purpose=research&types=patient_feedback_recorded");
        var unstated = await FeedbackDataAsync("?types=patient_feedback_recorded");

        Assert.Equal("Nobody said how long", forResearch[researched].GetProperty("comment").GetString());
        Assert.Equal("[withheld]", forResearch[researched].GetProperty("patientRef").GetString());
        Assert.Equal("[withheld]", forResearch[improvedOnly].GetProperty("comment").GetString());
        Assert.Equal("[withheld]", unstated[researched].GetProperty("comment").GetString());
        await Host.GetJsonAsync("/api/export/events?purpose=gossip", 400, organisation);

        await Host.Scenario(s =>
        {
            s.Post.Json(new { reason = "The patient withdrew consent by letter.", legalBasis = "consentWithdrawn" })
                .ToUrl($"/api/patient-feedback/subjects/{consenting}/erasure");
            s.WithRequestHeader("X-Organisation", organisation);
            s.StatusCodeShouldBeOk();
        });
        var afterErasure = await FeedbackDataAsync("?purpose=research&types=patient_feedback_recorded");
        Assert.Equal("[erased]", afterErasure[researched].GetProperty("comment").GetString());
    }

    [Fact]
    public async Task The_export_speaks_the_apis_wire_format_whatever_was_stored()
    {
        var (outcome, organisation) = await StoryAsync();
        var all = await ExportAsync(organisation);

        // Enums are stored by their C# names ("Nurse"); every one leaves as the API spells it ("nurse").
        var groups = all.SelectMany(e => e.GetProperty("data").EnumerateObject())
            .Where(p => p.Name.EndsWith("Group", StringComparison.Ordinal) && p.Value.ValueKind == JsonValueKind.String)
            .Select(p => p.Value.GetString()!)
            .ToArray();
        Assert.NotEmpty(groups);
        Assert.All(groups, g => Assert.True(char.IsLower(g[0]), $"'{g}' is not how the API spells a group"));
        var outcomes = all.Where(e => e.GetProperty("type").GetString() == "priority_decided").Select(e => e.GetProperty("data").GetProperty("outcome").GetString());
        Assert.Contains("agreed", outcomes);
        Assert.All(all, e => Assert.Matches("^[a-z][A-Za-z]*$", e.GetProperty("kind").GetString()!));

        // Kinds are taken as the wire spells them and as they were stored.
        var camel = await ExportAsync(organisation, "?kinds=serviceRedesign");
        var stored = await ExportAsync(organisation, "?kinds=service_redesign");
        Assert.NotEmpty(camel);
        Assert.Equal(camel.Select(e => e.GetProperty("id").GetGuid()), stored.Select(e => e.GetProperty("id").GetGuid()));
        Assert.All(camel, e => Assert.Equal(outcome.Redesign, e.GetProperty("streamId").GetGuid()));
    }

    [Fact]
    public async Task Export_filters_combine()
    {
        var (outcome, organisation) = await StoryAsync();
        var all = await ExportAsync(organisation);
        var roundKind = all.First(e => e.GetProperty("type").GetString() == "round_opened").GetProperty("kind").GetString();

        var objections = await ExportAsync(organisation, "?types=objection_raised");
        var rounds = await ExportAsync(organisation, $"?kinds={roundKind}");
        var okafor = await ExportAsync(organisation, $"?participant={outcome.People["okafor"]}");
        var patients = await ExportAsync(organisation, "?group=patient&types=amendment_proposed,proposal_endorsed");
        var window = await ExportAsync(organisation, $"?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O"))}");

        Assert.Equal(2, objections.Length);
        Assert.All(objections, e => Assert.Equal("objection_raised", e.GetProperty("type").GetString()));
        Assert.All(rounds, e => Assert.Equal(outcome.Round, e.GetProperty("streamId").GetGuid()));
        Assert.NotEmpty(okafor);
        Assert.All(okafor, e => Assert.Equal(outcome.People["okafor"].ToString(), e.GetProperty("headers").GetProperty("actingParticipant").GetString()));
        Assert.NotEmpty(patients);
        Assert.All(patients, e => Assert.Equal("patient", e.GetProperty("headers").GetProperty("actingGroup").GetString()));
        Assert.Empty(window);
        await Host.GetJsonAsync("/api/export/events?group=aliens", 400, organisation);
    }

    [Fact]
    public async Task Spreadsheet_views_come_as_csv()
    {
        var (outcome, organisation) = await StoryAsync();

        var (priorities, type) = await ReadAsync($"/api/export/priorities.csv?roundId={outcome.Round}", organisation);
        var (results, _) = await ReadAsync($"/api/rounds/{outcome.Round}/results.csv", organisation);
        var (balance, _) = await ReadAsync($"/api/rounds/{outcome.Round}/balance.csv", organisation);

        Assert.Equal("text/csv; charset=utf-8", type);
        var rows = priorities.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,statement,status,setByGroup", rows[0], StringComparison.Ordinal);
        Assert.Equal(5, rows.Length);
        Assert.Contains(rows, r => r.StartsWith($"{outcome.AgreedPriority},\"Tell patients, on arrival and by text, how long they will wait\",decided,student", StringComparison.Ordinal));
        Assert.StartsWith($"1,{outcome.AgreedPriority},", results.Split("\r\n")[1], StringComparison.Ordinal);
        Assert.Contains("\r\npatient,1,1,1,", balance, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rebuilding_every_view_leaves_each_as_it_was()
    {
        var (outcome, organisation) = await StoryAsync();
        var decision = (await Host.GetJsonAsync($"/api/priorities/{outcome.AgreedPriority}", organisation: organisation)).GetProperty("decision").GetProperty("id").GetGuid();
        string[] views =
        [
            $"/api/priorities/{outcome.AgreedPriority}", $"/api/priorities/{outcome.MergedPriority}", $"/api/service-redesigns/{outcome.Redesign}",
            $"/api/curriculum-changes/{outcome.CurriculumChange}", $"/api/curriculum-changes/{outcome.CurriculumChange}/reflections",
            $"/api/rounds/{outcome.Round}", $"/api/rounds/{outcome.Round}/results", $"/api/rounds/{outcome.Round}/balance",
            $"/api/patient-feedback/{outcome.FirstFeedback}", $"/api/participants/{outcome.People["jenny"]}", $"/api/lessons/{outcome.Lessons[0]}",
            $"/api/decisions/{decision}/provenance", $"/api/lineage/{outcome.FirstFeedback}",
            $"/api/priorities/{outcome.AgreedPriority}/endorsements", $"/api/rounds/{outcome.Round}/interim-rankings",
            $"/api/priorities/{outcome.AgreedPriority}/objections", $"/api/service-redesigns/{outcome.Redesign}/objections",
        ];
        async Task<List<string>> SnapshotAsync()
        {
            var texts = new List<string>();
            foreach (var view in views)
            {
                texts.Add((await ReadAsync(view, organisation)).Text);
            }

            return texts;
        }

        var before = await SnapshotAsync();
        var rowsBefore = await RowsAsync(organisation);
        // A store written before endorsements, objections and ballots were documents of their own has none: the rebuild makes them.
        await using (var session = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession(organisation))
        {
            session.DeleteWhere<LearningSystem.Negotiating.Endorsing.Endorsement>(e => true);
            session.DeleteWhere<LearningSystem.Rounds.Ranking.InterimBallot>(b => true);
            session.DeleteWhere<LearningSystem.Negotiating.Objecting.Objection>(o => true);
            await session.SaveChangesAsync();
        }

        Assert.Equal("[]", (await ReadAsync($"/api/priorities/{outcome.AgreedPriority}/endorsements", organisation)).Text);
        Assert.Equal("[]", (await ReadAsync($"/api/priorities/{outcome.AgreedPriority}/objections", organisation)).Text);

        var report = await Host.Scenario(s =>
        {
            s.Post.Json(new { }).ToUrl("/api/admin/rebuilds");
            s.WithRequestHeader("X-Organisation", organisation);
            s.StatusCodeShouldBeOk();
        });

        var rebuilt = await report.ReadAsJsonAsync<JsonElement>();
        Assert.Contains(rebuilt.GetProperty("projections").EnumerateArray(), p => p.GetProperty("projection").GetString() == "Priority");
        Assert.Equal(before, await SnapshotAsync());
        // Row for row as Marten wrote them: the same JSON, .NET type and stream version, endorsements, objections and ballots included.
        Assert.Equal(rowsBefore, await RowsAsync(organisation));
    }

    /// <summary>Every document row of the organisation, but the columns a write always renews (time, and a record's random version).</summary>
    private async Task<List<string>> RowsAsync(string organisation)
    {
        await using var connection = new Npgsql.NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<(string Table, bool Revised)>();
        await using (var command = new Npgsql.NpgsqlCommand(
            "select table_name, data_type = 'bigint' from information_schema.columns where table_schema = 'learningsystem' and table_name like 'mt_doc_%' and column_name = 'mt_version' and table_name in (select table_name from information_schema.columns where column_name = 'tenant_id') order by 1", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add((reader.GetString(0), reader.GetBoolean(1)));
            }
        }

        var rows = new List<string>();
        foreach (var (table, revised) in tables)
        {
            await using var command = new Npgsql.NpgsqlCommand(
                $"select concat_ws(' ', '{table}', id, data::text, mt_dotnet_type, {(revised ? "mt_version" : "null")}) from learningsystem.{table} where tenant_id = @p order by id", connection);
            command.Parameters.AddWithValue("p", organisation);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }
        }

        Assert.Contains(rows, r => r.StartsWith("mt_doc_endorsement ", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("mt_doc_interimballot ", StringComparison.Ordinal));
        return rows;
    }
}
