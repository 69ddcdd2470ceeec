using Alba;

namespace LearningSystem.Tests.History;

[Collection(ServiceGroup.Name)]
public sealed class ReadingStreamHistory(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    [Fact]
    public async Task The_history_carries_the_event_and_its_provenance()
    {
        var jenny = await Host.CreateAsync("/api/participants", Requests.Jenny, organisation: "royal-infirmary");
        var post = await Host.Scenario(s =>
        {
            s.Post.Json(Requests.Redesign(jenny)).ToUrl("/api/service-redesigns");
            s.WithRequestHeader("X-Organisation", "royal-infirmary");
            s.WithRequestHeader("X-Correlation-Id", "redesign-week-42");
            s.WithRequestHeader("X-Request-Id", "req-0001");
            s.StatusCodeShouldBe(201);
        });
        var redesign = (await post.ReadAsJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();

        var history = await Host.GetJsonAsync($"/api/streams/{redesign}/events", organisation: "royal-infirmary");

        var e = Assert.Single(history.EnumerateArray());
        Assert.Equal(1, e.GetProperty("version").GetInt64());
        Assert.True(e.GetProperty("sequence").GetInt64() > 0);
        Assert.Equal("service_redesign_proposed", e.GetProperty("type").GetString());
        Assert.Equal(jenny, e.GetProperty("data").GetProperty("proposedBy").GetGuid());
        Assert.Equal("student", e.GetProperty("data").GetProperty("proposerGroup").GetString());
        Assert.Equal("redesign-week-42", e.GetProperty("correlationId").GetString());
        Assert.Equal("req-0001", e.GetProperty("causationId").GetString());
        Assert.Equal(jenny, e.GetProperty("actingParticipant").GetGuid());
        Assert.Equal("royal-infirmary", e.GetProperty("organisation").GetString());
        Assert.True(e.GetProperty("timestamp").GetDateTimeOffset() > DateTimeOffset.MinValue);
        // What joins the history to a webhook's eventId, to the audit chain, and to who acted.
        Assert.NotEqual(Guid.Empty, e.GetProperty("id").GetGuid());
        Assert.Matches("^[0-9a-f]{64}$", e.GetProperty("link").GetString()!);
        Assert.Equal("tests", e.GetProperty("client").GetString());
        Assert.Equal("student", e.GetProperty("actingGroup").GetString());
        var exported = (await Host.GetTextAsync($"/api/export/events?kinds=serviceRedesign", "royal-infirmary")).Text
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Single(x => x.GetProperty("streamId").GetGuid() == redesign);
        Assert.Equal(exported.GetProperty("id").GetGuid(), e.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Without_caller_ids_correlation_and_causation_are_generated_and_echoed()
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(Requests.Jenny).ToUrl("/api/participants");
            s.StatusCodeShouldBe(201);
        });
        var id = (await result.ReadAsJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();

        var e = Assert.Single((await Host.GetJsonAsync($"/api/streams/{id}/events")).EnumerateArray());

        Assert.Equal(result.Context.Response.Headers["X-Correlation-Id"].ToString(), e.GetProperty("correlationId").GetString());
        Assert.Equal(result.Context.Response.Headers["X-Request-Id"].ToString(), e.GetProperty("causationId").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, e.GetProperty("actingParticipant").ValueKind);
        Assert.Equal("local", e.GetProperty("organisation").GetString());
    }

    [Fact]
    public async Task An_unknown_stream_is_404()
    {
        await Host.GetJsonAsync($"/api/streams/{Guid.NewGuid()}/events", 404);
    }

    [Fact]
    public async Task Another_organisation_cannot_read_the_stream()
    {
        var id = await Host.CreateAsync("/api/participants", Requests.Jenny, organisation: "trust-a");

        await Host.GetJsonAsync($"/api/streams/{id}/events", 404, organisation: "trust-b");
        await Host.GetJsonAsync($"/api/participants/{id}", 404, organisation: "trust-b");
        await Host.GetJsonAsync($"/api/participants/{id}", 200, organisation: "trust-a");
    }
}
