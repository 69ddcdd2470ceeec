using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace LearningSystem.Tests.Http;

/// <summary>Commands sent with an Idempotency-Key run once, however often and however concurrently they are retried.</summary>
[Collection(ServiceGroup.Name)]
public sealed class RetryingCommands(ServiceFixture service)
{
    private static HttpRequestMessage Register(string key, string name = "Jenny") =>
        new(HttpMethod.Post, "/api/participants")
        {
            Content = JsonContent.Create(new { displayName = name, stakeholderGroup = "student" }),
            Headers = { { "Idempotency-Key", key } },
        };

    [Fact]
    public async Task A_hundred_concurrent_retries_append_one_event_and_all_get_the_first_answer()
    {
        using var http = service.ClientFor("tests", $"retries-{Guid.NewGuid():N}"[..30]);
        var key = Guid.NewGuid().ToString();
        var before = await service.EventCountAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => http.SendAsync(Register(key))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        var ids = await Task.WhenAll(answers.Select(async a => (await a.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid()));
        Assert.Single(ids.Distinct());
        Assert.Single(answers.Select(a => a.Headers.Location?.ToString()).Distinct());
        Assert.Equal(99, answers.Count(a => a.Headers.Contains("Idempotent-Replayed")));
        Assert.Equal(before + 1, await service.EventCountAsync());
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_a_422_and_appends_nothing()
    {
        using var http = service.ClientFor("tests");
        var key = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(Register(key))).StatusCode);
        var before = await service.EventCountAsync();

        var reused = await http.SendAsync(Register(key, "Someone else"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await service.EventCountAsync());
    }

    [Fact]
    public async Task Keys_belong_to_their_client_and_are_kept_for_the_configured_time()
    {
        using var tests = service.ClientFor("tests");
        using var portal = service.ClientFor("outpatients-portal");
        var key = Guid.NewGuid().ToString();
        service.Clock.Now = TestClock.Start;
        var first = await (await tests.SendAsync(Register(key))).Content.ReadFromJsonAsync<JsonElement>();

        var otherClient = await (await portal.SendAsync(Register(key))).Content.ReadFromJsonAsync<JsonElement>();
        service.Clock.Now = TestClock.Start.AddHours(25);
        var afterExpiry = await (await tests.SendAsync(Register(key, "Someone else"))).Content.ReadFromJsonAsync<JsonElement>();
        service.Clock.Now = TestClock.Start;

        Assert.NotEqual(first.GetProperty("id").GetGuid(), otherClient.GetProperty("id").GetGuid());
        Assert.NotEqual(first.GetProperty("id").GetGuid(), afterExpiry.GetProperty("id").GetGuid());
        var store = service.Host.Services.GetRequiredService<Marten.IDocumentStore>();
        Assert.True(await LearningSystem.Http.Idempotency.ExpiredKeyCleaner.ForgetExpiredAsync(store, TestClock.Start.AddDays(30), CancellationToken.None) >= 3);
        Assert.Equal(0, await LearningSystem.Http.Idempotency.ExpiredKeyCleaner.ForgetExpiredAsync(store, TestClock.Start.AddDays(30), CancellationToken.None));
    }

    private const string JennyBody = """{"displayName":"Jenny","stakeholderGroup":"student"}""";

    /// <summary>A first attempt that claimed the key and never answered: its process died, or it is still running.</summary>
    private async Task<string> ClaimedAsync(DateTimeOffset? leaseUntil)
    {
        var key = Guid.NewGuid().ToString();
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"POST /api/participants\n{JennyBody}")));
        await using var session = service.Host.Services.GetRequiredService<Marten.IDocumentStore>().LightweightSession("local");
        session.Store(new LearningSystem.Http.Idempotency.IdempotentRequest($"tests:{key}", hash, null, null, null, null, DateTimeOffset.MaxValue, LeaseUntil: leaseUntil));
        await session.SaveChangesAsync();
        return key;
    }

    private static HttpRequestMessage RegisterJenny(string key) => new(HttpMethod.Post, "/api/participants")
    {
        Content = new StringContent(JennyBody, System.Text.Encoding.UTF8, "application/json"),
        Headers = { { "Idempotency-Key", key } },
    };

    [Fact]
    public async Task A_retry_waiting_on_a_first_attempt_still_within_its_lease_times_out_with_a_problem()
    {
        service.Clock.Now = TestClock.Start;
        var key = await ClaimedAsync(TestClock.Start.AddHours(1));
        using var http = service.ClientFor("tests");
        var before = await service.EventCountAsync();
        var started = System.Diagnostics.Stopwatch.StartNew();

        var retry = await http.SendAsync(RegisterJenny(key));

        Assert.Equal(HttpStatusCode.GatewayTimeout, retry.StatusCode);
        Assert.Equal("application/problem+json", retry.Content.Headers.ContentType?.MediaType);
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(ServiceFixture.RequestTimeoutSeconds - 1));
        Assert.Equal(before, await service.EventCountAsync());
    }

    [Fact]
    public async Task A_claim_whose_lease_ran_out_is_taken_over_by_the_next_retry_which_runs_the_command_once()
    {
        service.Clock.Now = TestClock.Start;
        var key = await ClaimedAsync(TestClock.Start.AddSeconds(-1));
        using var http = service.ClientFor("tests");
        var before = await service.EventCountAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => http.SendAsync(RegisterJenny(key))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        Assert.Single(await Task.WhenAll(answers.Select(a => a.Content.ReadAsStringAsync())).ContinueWith(t => t.Result.Distinct().ToArray()));
        Assert.Equal(before + 1, await service.EventCountAsync());
    }

    [Fact]
    public async Task A_replay_carries_the_first_answers_etag_location_and_content_type()
    {
        using var http = service.ClientFor("tests");
        var key = Guid.NewGuid().ToString();
        var first = await http.SendAsync(Register(key));
        var replay = await http.SendAsync(Register(key));

        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("\"1\"", first.Headers.ETag?.ToString());
        Assert.Equal(first.Headers.ETag, replay.Headers.ETag);
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        Assert.Equal(first.Content.Headers.ContentType?.MediaType, replay.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());

        var jenny = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var priority = (await (await http.PostAsJsonAsync("/api/priorities", new { statement = "s", rationale = "r", setBy = jenny })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var moveKey = Guid.NewGuid().ToString();
        HttpRequestMessage Endorse() => new(HttpMethod.Post, $"/api/priorities/{priority}/endorsements") { Content = JsonContent.Create(new { by = jenny }), Headers = { { "Idempotency-Key", moveKey } } };
        var moved = await http.SendAsync(Endorse());
        var movedAgain = await http.SendAsync(Endorse());
        Assert.Equal("\"2\"", moved.Headers.ETag?.ToString());
        Assert.Equal(moved.Headers.ETag, movedAgain.Headers.ETag);
        Assert.True(movedAgain.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task A_refused_command_is_refused_again_on_retry()
    {
        using var http = service.ClientFor("tests");
        var key = Guid.NewGuid().ToString();
        HttpRequestMessage Invalid() => new(HttpMethod.Post, "/api/participants")
        {
            Content = JsonContent.Create(new { displayName = "", stakeholderGroup = "student" }),
            Headers = { { "Idempotency-Key", key } },
        };

        var first = await http.SendAsync(Invalid());
        var retry = await http.SendAsync(Invalid());

        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));
    }
}
