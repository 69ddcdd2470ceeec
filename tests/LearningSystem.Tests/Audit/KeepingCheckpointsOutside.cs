using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LearningSystem.Notifications;

namespace LearningSystem.Tests.Audit;

/// <summary>Every checkpoint leaves the service as it is made, and can be checked with standard tools alone.</summary>
[Collection(ServiceGroup.Name)]
public sealed class KeepingCheckpointsOutside(ServiceFixture service)
{
    [Theory]
    [InlineData("/api/audit/checkpoints.ndjson")]
    [InlineData("/api/export/events")]
    public async Task A_download_with_nothing_in_it_yet_is_an_empty_file_not_204(string url)
    {
        using var http = service.ClientFor("tests", Stories.NewOrganisation("empty"));

        using var answer = await http.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("application/x-ndjson", answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal("", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_checkpoint_goes_out_to_its_subscribers_signed_as_it_is_made()
    {
        var organisation = Stories.NewOrganisation("checkpoint-hook");
        await using var receiver = new Receiver(Receiver.WebhookHost);
        await receiver.StartAsync();
        using var http = service.ClientFor("tests", organisation);
        using var subscribed = await http.PostAsJsonAsync("/api/webhooks", new { url = $"{receiver.Address}kept", topics = new[] { Topics.CheckpointMade } });
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        await service.Host.CreateAsync("/api/participants", Requests.Jenny, organisation);

        using var made = await http.PostAsJsonAsync("/api/audit/checkpoints", new { });
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var checkpoint = await made.Content.ReadFromJsonAsync<JsonElement>();
        var statement = checkpoint.GetProperty("statement").GetString()!;

        Assert.True(await receiver.WaitForAsync("/kept", body => body.Contains(Topics.CheckpointMade, StringComparison.Ordinal), TimeSpan.FromSeconds(30)));
        var notice = JsonDocument.Parse(receiver.Received.Single(r => r.Path == "/kept").Body).RootElement.GetProperty("checkpoint");
        Assert.Equal(statement, notice.GetProperty("statement").GetString());
        Assert.Equal(1, notice.GetProperty("number").GetInt64());
        // The receiver checks it with the key it trusts, not only the key that came with it.
        Assert.True(service.SigningKey.VerifyData(
            Encoding.UTF8.GetBytes(statement), Convert.FromBase64String(notice.GetProperty("signature").GetString()!), HashAlgorithmName.SHA256));
    }

    /// <summary>The steps of docs/audit.md: the statement, the DER signature and the public key as files, and openssl.</summary>
    [Fact]
    public async Task Openssl_verifies_a_checkpoint_from_its_der_signature_and_refuses_an_altered_statement()
    {
        var organisation = Stories.NewOrganisation("checkpoint-openssl");
        await service.Host.CreateAsync("/api/participants", Requests.Jenny, organisation);
        using var http = service.ClientFor("tests", organisation);
        using var made = await http.PostAsJsonAsync("/api/audit/checkpoints", new { });
        var line = (await http.GetStringAsync(new Uri("/api/audit/checkpoints.ndjson", UriKind.Relative))).Split('\n')[0];
        var checkpoint = JsonDocument.Parse(line).RootElement;

        var folder = Directory.CreateTempSubdirectory("openssl-");
        try
        {
            string File(string name) => Path.Combine(folder.FullName, name);
            await System.IO.File.WriteAllTextAsync(File("statement.txt"), checkpoint.GetProperty("statement").GetString());
            await System.IO.File.WriteAllBytesAsync(File("signature.der"), Convert.FromBase64String(checkpoint.GetProperty("signatureDer").GetString()!));
            await System.IO.File.WriteAllTextAsync(File("public.pem"), checkpoint.GetProperty("publicKey").GetString());

            var (verified, said) = await OpensslAsync("dgst", "-sha256", "-verify", File("public.pem"), "-signature", File("signature.der"), File("statement.txt"));
            Assert.Equal((0, "Verified OK"), (verified, said.Trim()));

            await System.IO.File.AppendAllTextAsync(File("statement.txt"), "0");
            var (refused, _) = await OpensslAsync("dgst", "-sha256", "-verify", File("public.pem"), "-signature", File("signature.der"), File("statement.txt"));
            Assert.NotEqual(0, refused);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> OpensslAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}

/// <summary>Checkpoints kept outside catch what the database alone no longer can: history rewritten and re-checkpointed.</summary>
[Collection(ServiceGroup.Name)]
public sealed class CheckingKeptCheckpoints(ServiceFixture service)
{
    [Fact]
    public async Task History_rewritten_and_checkpointed_afresh_verifies_inside_but_not_against_the_kept_checkpoints()
    {
        var organisation = Stories.NewOrganisation("consistency");
        var jenny = await service.Host.CreateAsync("/api/participants", Requests.Jenny, organisation);
        var priority = await service.Host.CreateAsync("/api/priorities", new { statement = "Shorter waits", rationale = "Hours of waiting", setBy = jenny }, organisation);
        using var http = service.ClientFor("tests", organisation);
        using (await http.PostAsJsonAsync("/api/audit/checkpoints", new { }))
        {
        }

        var kept = (await http.GetStringAsync(new Uri("/api/audit/checkpoints.ndjson", UriKind.Relative)))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        var before = await ConsistencyAsync(http, kept);
        Assert.True(before.GetProperty("consistent").GetBoolean(), before.GetRawText());

        // The owner rewrites the priority's statement, links it anew, removes every checkpoint and makes a fresh one.
        await Tampering.ExecuteAsync(service.ConnectionString,
            """
            update learningsystem.mt_events set data = jsonb_set(data, '{statement}', '"Longer waits"') where tenant_id = @tenant and stream_id = @stream and version = 1;
            update learningsystem.mt_events e set headers = e.headers || jsonb_build_object('link', encode(learningsystem.event_link(e), 'hex'))
              where e.tenant_id = @tenant and e.stream_id = @stream and e.version = 1;
            delete from learningsystem.mt_doc_auditcheckpoint where tenant_id = @tenant;
            """,
            ("tenant", organisation), ("stream", priority));
        using (await http.PostAsJsonAsync("/api/audit/checkpoints", new { }))
        {
        }

        Assert.True((await service.Host.GetJsonAsync("/api/audit/verify", organisation: organisation)).GetProperty("intact").GetBoolean());
        var after = await ConsistencyAsync(http, kept);
        Assert.False(after.GetProperty("consistent").GetBoolean());
        Assert.Equal("different", after.GetProperty("kept")[0].GetProperty("stored").GetString());
        var first = after.GetProperty("against").GetProperty("firstBroken");
        Assert.Equal((priority, 1L, "rewritten"), (first.GetProperty("streamId").GetGuid(), first.GetProperty("version").GetInt64(), first.GetProperty("problem").GetString()));
    }

    [Fact]
    public async Task Kept_checkpoints_must_come_whole()
    {
        using var http = service.ClientFor("tests", Stories.NewOrganisation("consistency"));
        using var empty = await http.PostAsJsonAsync("/api/audit/consistency", new { checkpoints = Array.Empty<object>() });
        using var partial = await http.PostAsJsonAsync("/api/audit/consistency", new { checkpoints = new[] { new { number = 1, statement = "x" } } });
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (empty.StatusCode, partial.StatusCode));
    }

    private static async Task<JsonElement> ConsistencyAsync(HttpClient http, JsonElement[] kept)
    {
        using var answer = await http.PostAsJsonAsync("/api/audit/consistency", new { checkpoints = kept });
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return await answer.Content.ReadFromJsonAsync<JsonElement>();
    }
}
