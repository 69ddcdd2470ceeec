using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Alba;
using Microsoft.Extensions.DependencyInjection;

namespace LearningSystem.Tests.Audit;

/// <summary>Each scenario tampers in an organisation of its own, so the others' chains stay whole.</summary>
[Collection(ServiceGroup.Name)]
public sealed class VerifyingTheChain(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    private static string NewOrganisation() => $"audit-{Guid.NewGuid():N}"[..30];

    private async Task<(Guid Participant, Guid Priority)> NegotiatedAsync(string organisation)
    {
        var jenny = await Host.CreateAsync("/api/participants", new { displayName = "Jenny", stakeholderGroup = "student" }, organisation);
        var ada = await Host.CreateAsync("/api/participants", new { displayName = "Ada", stakeholderGroup = "nurse" }, organisation);
        var priority = await Host.CreateAsync("/api/priorities", new { statement = "Shorter waits", rationale = "Hours of waiting", setBy = jenny }, organisation);
        foreach (var (move, body) in new (string, object)[]
                 {
                     ("endorsements", new { by = ada }), ("objections", new { by = ada, reason = "Not knowing is worse" }),
                     ("endorsements", new { by = jenny }),
                 })
        {
            await Host.Scenario(s =>
            {
                s.Post.Json(body).ToUrl($"/api/priorities/{priority}/{move}");
                s.WithRequestHeader("X-Organisation", organisation);
                s.StatusCodeShouldBe(201);
            });
        }

        return (jenny, priority);
    }

    private Task<JsonElement> VerifyAsync(string organisation, Guid? stream = null) =>
        Host.GetJsonAsync(stream is null ? "/api/audit/verify" : $"/api/audit/verify?stream={stream}", organisation: organisation);

    private async Task TamperAsync(string sql, string organisation, Guid stream) =>
        Assert.True(await Tampering.ExecuteAsync(service.ConnectionString, sql, ("tenant", organisation), ("stream", stream)) > 0, "the tampering should touch a row");

    private static (Guid Stream, long Version, string Problem) Broken(JsonElement report)
    {
        Assert.False(report.GetProperty("intact").GetBoolean());
        var first = report.GetProperty("firstBroken");
        return (first.GetProperty("streamId").GetGuid(), first.GetProperty("version").GetInt64(), first.GetProperty("problem").GetString()!);
    }

    [Fact]
    public async Task An_untouched_organisation_verifies_whole()
    {
        var organisation = NewOrganisation();
        var (_, priority) = await NegotiatedAsync(organisation);

        var report = await VerifyAsync(organisation);
        Assert.True(report.GetProperty("intact").GetBoolean(), report.GetRawText());
        Assert.Equal(6, report.GetProperty("eventsChecked").GetInt64());
        Assert.Equal(3, report.GetProperty("streamsChecked").GetInt32());
        Assert.Equal(4, (await VerifyAsync(organisation, priority)).GetProperty("eventsChecked").GetInt64());
    }

    [Fact]
    public async Task A_changed_event_is_found_and_named()
    {
        var organisation = NewOrganisation();
        var (_, priority) = await NegotiatedAsync(organisation);

        await TamperAsync(
            "update learningsystem.mt_events set data = jsonb_set(data, '{reason}', '\"Waits are fine\"') where tenant_id = @tenant and stream_id = @stream and version = 3",
            organisation, priority);

        Assert.Equal((priority, 3L, "changed"), Broken(await VerifyAsync(organisation)));
        Assert.Equal((priority, 3L, "changed"), Broken(await VerifyAsync(organisation, priority)));
    }

    [Fact]
    public async Task A_deleted_event_is_found_where_it_was()
    {
        var organisation = NewOrganisation();
        var (_, priority) = await NegotiatedAsync(organisation);

        await TamperAsync("delete from learningsystem.mt_events where tenant_id = @tenant and stream_id = @stream and version = 2", organisation, priority);

        Assert.Equal((priority, 2L, "missing"), Broken(await VerifyAsync(organisation)));
    }

    [Fact]
    public async Task A_deleted_last_event_is_found_from_the_streams_version()
    {
        var organisation = NewOrganisation();
        var (_, priority) = await NegotiatedAsync(organisation);

        await TamperAsync("delete from learningsystem.mt_events where tenant_id = @tenant and stream_id = @stream and version = 4", organisation, priority);

        Assert.Equal((priority, 4L, "missing"), Broken(await VerifyAsync(organisation)));
    }

    [Fact]
    public async Task A_whole_stream_deleted_with_its_record_is_named_from_the_checkpoint_that_saw_it()
    {
        var organisation = NewOrganisation();
        var (_, priority) = await NegotiatedAsync(organisation);
        await Host.Scenario(s =>
        {
            s.Post.Json(new { }).ToUrl("/api/audit/checkpoints");
            s.WithRequestHeader("X-Organisation", organisation);
            s.StatusCodeShouldBe(201);
        });
        var upTo = (await Host.GetJsonAsync("/api/audit/checkpoints", organisation: organisation)).GetProperty("checkpoints")[0].GetProperty("upToSequence").GetInt64();

        await TamperAsync(
            """
            delete from learningsystem.mt_events where tenant_id = @tenant and stream_id = @stream;
            delete from learningsystem.mt_streams where tenant_id = @tenant and id = @stream;
            """, organisation, priority);

        var report = await VerifyAsync(organisation);
        Assert.Equal((priority, 4L, "missing"), Broken(report));
        Assert.Equal(
            $"The whole stream is gone, its events and its record: checkpoint 1 recorded it at version 4, its last event at or before sequence {upTo}.",
            report.GetProperty("firstBroken").GetProperty("detail").GetString());
        Assert.Equal(1, report.GetProperty("brokenStreams").GetInt32());
    }

    [Fact]
    public async Task Two_reordered_events_are_found()
    {
        var organisation = NewOrganisation();
        var (_, priority) = await NegotiatedAsync(organisation);

        await TamperAsync(
            """
            update learningsystem.mt_events set version = -2 where tenant_id = @tenant and stream_id = @stream and version = 2;
            update learningsystem.mt_events set version = 2 where tenant_id = @tenant and stream_id = @stream and version = 3;
            update learningsystem.mt_events set version = 3 where tenant_id = @tenant and stream_id = @stream and version = -2;
            """, organisation, priority);

        var (stream, version, problem) = Broken(await VerifyAsync(organisation));
        Assert.Equal((priority, 3L, "outOfOrder"), (stream, version, problem));
    }

    [Fact]
    public async Task An_erasure_still_verifies()
    {
        var organisation = NewOrganisation();
        var (jenny, _) = await NegotiatedAsync(organisation);

        await Host.Scenario(s =>
        {
            s.Post.Json(new { reason = "Asked to be forgotten.", legalBasis = "consentWithdrawn" }).ToUrl($"/api/participants/{jenny}/erasure");
            s.WithRequestHeader("X-Organisation", organisation);
            s.StatusCodeShouldBeOk();
        });

        Assert.True((await VerifyAsync(organisation)).GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task A_signed_checkpoint_can_be_checked_outside_and_catches_rewritten_links()
    {
        var organisation = NewOrganisation();
        var (_, priority) = await NegotiatedAsync(organisation);

        var made = await Host.Scenario(s =>
        {
            s.Post.Json(new { }).ToUrl("/api/audit/checkpoints");
            s.WithRequestHeader("X-Organisation", organisation);
            s.StatusCodeShouldBe(201);
        });
        var checkpoint = await made.ReadAsJsonAsync<JsonElement>();
        Assert.Equal(6, checkpoint.GetProperty("events").GetInt64());

        // What an auditor does with the export: check the signature with the public key alone.
        var exported = (await Host.GetJsonAsync("/api/audit/checkpoints", organisation: organisation)).GetProperty("checkpoints")[0];
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(exported.GetProperty("publicKey").GetString());
        Assert.True(publicKey.VerifyData(
            Encoding.UTF8.GetBytes(exported.GetProperty("statement").GetString()!), Convert.FromBase64String(exported.GetProperty("signature").GetString()!), HashAlgorithmName.SHA256));
        Assert.Contains($"root:{exported.GetProperty("root").GetString()}", exported.GetProperty("statement").GetString(), StringComparison.Ordinal);
        Assert.True((await VerifyAsync(organisation)).GetProperty("checkpoints")[0].GetProperty("matches").GetBoolean());

        // Someone with database access changes an event and rewrites every link to match; the checkpoint still knows.
        await TamperAsync(
            """
            update learningsystem.mt_events set data = jsonb_set(data, '{reason}', '"Waits are fine"') where tenant_id = @tenant and stream_id = @stream and version = 3;
            update learningsystem.mt_events e set headers = e.headers || jsonb_build_object('link', encode(learningsystem.event_link(e), 'hex'))
              where e.tenant_id = @tenant and e.stream_id = @stream and e.version = 3;
            update learningsystem.mt_events e set headers = e.headers || jsonb_build_object('link', encode(learningsystem.event_link(e), 'hex'))
              where e.tenant_id = @tenant and e.stream_id = @stream and e.version = 4;
            """, organisation, priority);
        var report = await VerifyAsync(organisation);
        Assert.False(report.GetProperty("intact").GetBoolean());
        Assert.Equal((priority, 4L, "rewritten"), Broken(report));
        Assert.False(report.GetProperty("checkpoints")[0].GetProperty("matches").GetBoolean());
        Assert.False((await VerifyAsync(organisation, priority)).GetProperty("intact").GetBoolean());
        await Host.Scenario(s =>
        {
            s.Post.Json(new { }).ToUrl("/api/audit/checkpoints");
            s.WithRequestHeader("X-Organisation", organisation);
            s.StatusCodeShouldBe(204);
        });
    }

    [Fact]
    public async Task Jennys_story_verifies_until_one_event_is_changed_and_then_names_it()
    {
        var (outcome, organisation) = await service.PlayJennysStoryAsync("audit");
        var whole = await VerifyAsync(organisation);
        Assert.True(whole.GetProperty("intact").GetBoolean(), whole.GetRawText());
        Assert.True(whole.GetProperty("eventsChecked").GetInt64() > 50, whole.GetRawText());

        await TamperAsync(
            "update learningsystem.mt_events set data = jsonb_set(data, '{rationale}', '\"Nobody agreed\"') where tenant_id = @tenant and stream_id = @stream and type = 'priority_decided'",
            organisation, outcome.AgreedPriority);

        var (stream, _, problem) = Broken(await VerifyAsync(organisation));
        Assert.Equal((outcome.AgreedPriority, "changed"), (stream, problem));
        Assert.Equal("priority_decided", (await VerifyAsync(organisation)).GetProperty("firstBroken").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Verifying_a_stream_the_organisation_never_had_is_404()
    {
        var (outcome, organisation) = await service.PlayJennysStoryAsync("audit");
        await service.Host.GetJsonAsync($"/api/audit/verify?stream={Guid.NewGuid()}", 404, organisation);
        // Another organisation's stream is, to this one, a stream it never had.
        await service.Host.GetJsonAsync($"/api/audit/verify?stream={outcome.AgreedPriority}", 404, Stories.NewOrganisation("other"));
        Assert.True((await service.Host.GetJsonAsync($"/api/audit/verify?stream={outcome.AgreedPriority}", organisation: organisation)).GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task A_decision_whose_event_was_deleted_still_answers_its_provenance_saying_where_the_chain_breaks()
    {
        var (outcome, organisation) = await service.PlayJennysStoryAsync("audit");
        var decision = (await service.Host.GetJsonAsync($"/api/priorities/{outcome.AgreedPriority}", organisation: organisation)).GetProperty("decision").GetProperty("id").GetGuid();

        // The decision and everything after it deleted, and the stream's version lowered to match.
        await TamperAsync(
            """
            delete from learningsystem.mt_events where tenant_id = @tenant and stream_id = @stream
              and version >= (select version from learningsystem.mt_events where tenant_id = @tenant and stream_id = @stream and type = 'priority_decided');
            update learningsystem.mt_streams set version = (select max(version) from learningsystem.mt_events where tenant_id = @tenant and stream_id = @stream)
              where tenant_id = @tenant and id = @stream;
            """, organisation, outcome.AgreedPriority);

        var provenance = await service.Host.GetJsonAsync($"/api/decisions/{decision}/provenance", organisation: organisation);
        Assert.False(provenance.GetProperty("chainIntact").GetBoolean());
        Assert.Equal("missing", provenance.GetProperty("outcome").GetString());
        Assert.Equal(outcome.AgreedPriority, provenance.GetProperty("firstBroken").GetProperty("streamId").GetGuid());
        Assert.True(provenance.GetProperty("acts").GetArrayLength() > 0);
        var (text, _) = await service.Host.GetTextAsync($"/api/decisions/{decision}/provenance/text", organisation);
        Assert.Contains("WARNING", text, StringComparison.Ordinal);
        foreach (var export in new[] { "prov", "fhir" })
        {
            using var http = service.ClientFor("tests", organisation);
            using var answer = await http.GetAsync(new Uri($"/api/decisions/{decision}/{export}", UriKind.Relative));
            Assert.True((int)answer.StatusCode < 500, $"{export}: {(int)answer.StatusCode}");
        }
    }

    [Fact]
    public async Task Nodes_making_a_checkpoint_at_the_same_moment_make_exactly_one()
    {
        var (_, organisation) = await service.PlayJennysStoryAsync("audit");
        var checkpointing = service.Host.Services.GetRequiredService<LearningSystem.Audit.Checkpoints.Checkpointing>();

        // Each node's timer, at the same tick.
        var made = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => checkpointing.MakeAsync(organisation, CancellationToken.None)));

        Assert.Single(made, c => c is not null);
        Assert.Equal(1, (await Host.GetJsonAsync("/api/audit/checkpoints", organisation: organisation)).GetProperty("checkpoints").GetArrayLength());
    }
}
