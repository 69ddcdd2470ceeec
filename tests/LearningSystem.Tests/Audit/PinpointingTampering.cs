using System.Text.Json;
using Alba;

namespace LearningSystem.Tests.Audit;

/// <summary>
/// Each kind of tampering an owner of the database could try after two signed checkpoints, each in an
/// organisation of its own: every one is detected, by the whole organisation's verification and by the
/// stream's own, and named to its stream and version (or to the checkpoint, for a checkpoint).
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed class PinpointingTampering(ServiceFixture service)
{
    private const string Events = "learningsystem.mt_events";
    private const string Relink = "update learningsystem.mt_events e set headers = e.headers || jsonb_build_object('link', encode(learningsystem.event_link(e), 'hex'))";

    private static readonly Dictionary<string, string> Sql = new()
    {
        ["changed data"] = $"update {Events} set data = jsonb_set(data, '{{reason}}', '\"Waits are fine\"') where tenant_id = @tenant and stream_id = @stream and version = 3",
        ["changed metadata"] = $"update {Events} set correlation_id = 'forged' where tenant_id = @tenant and stream_id = @stream and version = 3",
        ["changed timestamp"] = $"update {Events} set timestamp = timestamp - interval '1 day' where tenant_id = @tenant and stream_id = @stream and version = 3",
        ["changed id"] = $"update {Events} set id = gen_random_uuid() where tenant_id = @tenant and stream_id = @stream and version = 3",
        ["archived"] = $"update {Events} set is_archived = true where tenant_id = @tenant and stream_id = @stream and version = 3",
        ["deleted middle event"] = $"delete from {Events} where tenant_id = @tenant and stream_id = @stream and version = 2",
        ["deleted last event"] = $"""
            delete from {Events} where tenant_id = @tenant and stream_id = @stream and version = 5;
            update learningsystem.mt_streams set version = 4 where tenant_id = @tenant and id = @stream;
            """,
        ["swapped versions"] = $"""
            update {Events} set version = -2 where tenant_id = @tenant and stream_id = @stream and version = 2;
            update {Events} set version = 2 where tenant_id = @tenant and stream_id = @stream and version = 3;
            update {Events} set version = 3 where tenant_id = @tenant and stream_id = @stream and version = -2;
            """,
        ["rewritten with links"] = $"""
            update {Events} set data = jsonb_set(data, array['reason'], '"Waits are fine"') where tenant_id = @tenant and stream_id = @stream and version = 3;
            {Relink} where e.tenant_id = @tenant and e.stream_id = @stream and e.version = 3;
            {Relink} where e.tenant_id = @tenant and e.stream_id = @stream and e.version = 4;
            {Relink} where e.tenant_id = @tenant and e.stream_id = @stream and e.version = 5;
            """,
        // A whole new stream, its one event given a sequence number inside the checkpoints' reach and linked as the trigger would.
        ["forged insert"] = $"""
            insert into learningsystem.mt_streams (tenant_id, id, type, version) values (@tenant, @forged, 'priority', 1);
            insert into {Events} (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, causation_id, headers, is_archived)
              select 0, gen_random_uuid(), @forged, 1, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, causation_id, headers - 'link', false
              from {Events} where tenant_id = @tenant and stream_id = @stream and version = 1;
            {Relink} where e.seq_id = 0;
            """,
        ["deleted whole stream"] = $"""
            delete from {Events} where tenant_id = @tenant and stream_id = @stream;
            delete from learningsystem.mt_streams where tenant_id = @tenant and id = @stream;
            """,
        ["deleted checkpoint"] = "delete from learningsystem.mt_doc_auditcheckpoint where tenant_id = @tenant and (data ->> 'number')::int = 1",
        ["altered checkpoint"] = """
            update learningsystem.mt_doc_auditcheckpoint set data = jsonb_set(data, '{root}', to_jsonb(repeat('0', 64)))
            where tenant_id = @tenant and (data ->> 'number')::int = 1
            """,
    };

    public static TheoryData<string> Kinds() => [.. Sql.Keys];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Tampering_is_detected_and_pinpointed(string kind)
    {
        var organisation = Stories.NewOrganisation("tamper");
        var priority = await NegotiatedWithTwoCheckpointsAsync(organisation);
        var forged = Guid.NewGuid();
        Assert.True(await Tampering.ExecuteAsync(service.ConnectionString, Sql[kind], ("tenant", organisation), ("stream", priority), ("forged", forged)) > 0);

        var whole = await service.Host.GetJsonAsync("/api/audit/verify", organisation: organisation);
        Assert.False(whole.GetProperty("intact").GetBoolean(), whole.GetRawText());
        var (stream, version, problem) = kind switch
        {
            "deleted middle event" => (priority, 2L, "missing"),
            "deleted last event" or "deleted whole stream" => (priority, 5L, "missing"),
            "swapped versions" => (priority, 3L, "outOfOrder"),
            "rewritten with links" => (priority, 4L, "rewritten"),
            "forged insert" => (forged, 1L, "inserted"),
            "archived" => (priority, 3L, "archived"),
            "deleted checkpoint" or "altered checkpoint" => (Guid.Empty, 0L, ""),
            _ => (priority, 3L, "changed"),
        };
        if (stream == Guid.Empty)
        {
            // Nothing in the events is wrong; the checkpoint is named instead.
            Assert.Equal(JsonValueKind.Null, whole.GetProperty("firstBroken").ValueKind);
            var check = whole.GetProperty("checkpoints").EnumerateArray().Single(c => c.GetProperty("number").GetInt64() == 1);
            Assert.Equal(kind == "deleted checkpoint" ? "missing" : "altered", check.GetProperty("problem").GetString());
        }
        else
        {
            var first = whole.GetProperty("firstBroken");
            Assert.Equal((stream, version, problem), (first.GetProperty("streamId").GetGuid(), first.GetProperty("version").GetInt64(), first.GetProperty("problem").GetString()));
        }

        // The auditor's own verifier, from the export and the kept checkpoints alone, says the same.
        var (exitCode, offline, summary) = await OfflineVerifier.VerifyAsync(service.Host, organisation, service.SigningKey);
        Assert.Equal(1, exitCode);
        Assert.Equal(OfflineVerifier.Verdict(whole), OfflineVerifier.Verdict(offline));
        Assert.StartsWith("NOT intact", summary, StringComparison.Ordinal);

        // The stream's own verification never says "intact" where the organisation's does not.
        var own = await service.Host.GetJsonAsync($"/api/audit/verify?stream={(stream == Guid.Empty ? priority : stream)}", organisation: organisation);
        Assert.False(own.GetProperty("intact").GetBoolean(), own.GetRawText());
    }

    [Fact]
    public async Task Untouched_history_with_checkpoints_verifies_and_each_checkpoint_names_the_one_before()
    {
        var organisation = Stories.NewOrganisation("tamper");
        var priority = await NegotiatedWithTwoCheckpointsAsync(organisation);

        var whole = await service.Host.GetJsonAsync("/api/audit/verify", organisation: organisation);
        Assert.True(whole.GetProperty("intact").GetBoolean(), whole.GetRawText());
        Assert.True(whole.GetProperty("signaturesChecked").GetBoolean());
        Assert.Equal([true, true], whole.GetProperty("checkpoints").EnumerateArray().Select(c => c.GetProperty("matches").GetBoolean()));
        Assert.True((await service.Host.GetJsonAsync($"/api/audit/verify?stream={priority}", organisation: organisation)).GetProperty("intact").GetBoolean());

        var (exitCode, offline, summary) = await OfflineVerifier.VerifyAsync(service.Host, organisation, service.SigningKey);
        Assert.Equal(0, exitCode);
        Assert.Equal(OfflineVerifier.Verdict(whole), OfflineVerifier.Verdict(offline));
        Assert.Contains("signatures checked", summary, StringComparison.Ordinal);

        var kept = (await service.Host.GetJsonAsync("/api/audit/checkpoints", organisation: organisation)).GetProperty("checkpoints");
        Assert.Equal(new string('0', 64), kept[0].GetProperty("previous").GetString());
        var first = kept[0].GetProperty("statement").GetString()!;
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(first))), kept[1].GetProperty("previous").GetString());
        // The second checkpoint records only the stream that changed since the first.
        var heads = kept[1].GetProperty("heads");
        Assert.Equal(1, heads.GetArrayLength());
        Assert.Equal((priority, 5L), (heads[0].GetProperty("streamId").GetGuid(), heads[0].GetProperty("version").GetInt64()));
    }

    [Fact]
    public async Task An_export_that_starts_after_a_checkpoint_verifies_offline_without_the_streams_it_does_not_reach()
    {
        var organisation = Stories.NewOrganisation("tamper");
        await NegotiatedWithTwoCheckpointsAsync(organisation);
        var first = (await service.Host.GetJsonAsync("/api/audit/checkpoints", organisation: organisation)).GetProperty("checkpoints")[0];

        // The participants' streams end before the first checkpoint, so the export after it leaves them out.
        var (exitCode, offline, summary) = await OfflineVerifier.VerifyAsync(service.Host, organisation, service.SigningKey, $"?after={first.GetProperty("upToSequence").GetInt64()}");

        Assert.True(exitCode == 0, summary + offline.GetRawText());
        Assert.True(offline.GetProperty("intact").GetBoolean());
        Assert.Equal(1, offline.GetProperty("eventsChecked").GetInt64());
    }

    /// <summary>Three streams; the priority reaches version 4 before the first checkpoint and 5 before the second.</summary>
    private async Task<Guid> NegotiatedWithTwoCheckpointsAsync(string organisation)
    {
        var host = service.Host;
        var jenny = await host.CreateAsync("/api/participants", new { displayName = "Jenny", stakeholderGroup = "student" }, organisation);
        var ada = await host.CreateAsync("/api/participants", new { displayName = "Ada", stakeholderGroup = "nurse" }, organisation);
        var priority = await host.CreateAsync("/api/priorities", new { statement = "Shorter waits", rationale = "Hours of waiting", setBy = jenny }, organisation);
        foreach (var (move, body) in new (string, object)[]
                 {
                     ("endorsements", new { by = ada }), ("objections", new { by = ada, reason = "Not knowing is worse" }), ("endorsements", new { by = jenny }),
                     ("checkpoint", new { }), ("objections", new { by = jenny, reason = "Evenings too" }), ("checkpoint", new { }),
                 })
        {
            await host.Scenario(s =>
            {
                s.Post.Json(body).ToUrl(move == "checkpoint" ? "/api/audit/checkpoints" : $"/api/priorities/{priority}/{move}");
                s.WithRequestHeader("X-Organisation", organisation);
                s.StatusCodeShouldBe(201);
            });
        }

        return priority;
    }
}
