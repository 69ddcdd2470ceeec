using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LearningSystem.Notifications;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LearningSystem.Tests.Notifications;

/// <summary>Webhooks: a receiver that was down gets every notification, signed, once it is back.</summary>
[Collection(ServiceGroup.Name)]
public sealed class NotifyingIntegratingSystems(ServiceFixture service)
{
    [Fact]
    public async Task A_receiver_that_was_down_gets_every_notification_once_it_is_back()
    {
        var organisation = Stories.NewOrganisation("webhooks");
        await using var receiver = new Receiver(Receiver.WebhookHost);
        using var http = service.ClientFor("tests", organisation);
        using var subscribed = await http.PostAsJsonAsync("/api/webhooks", new { url = $"{receiver.Address}hooks", topics = Topics.All });
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        var subscription = await subscribed.Content.ReadFromJsonAsync<JsonElement>();
        var secret = subscription.GetProperty("secret").GetString()!;

        // The receiver is down while Jenny's story decides, implements and answers.
        await service.PlayJennysStoryAsync("webhooks", organisation: organisation);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await receiver.StartAsync();

        var expected = await NotableEventsAsync(organisation);
        Assert.True(expected.Count >= 4, $"the story should decide, implement and answer; found {expected.Count}");
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var received = new Dictionary<Guid, (IReadOnlyDictionary<string, string> Headers, string Body)>();
        while (DateTime.UtcNow < deadline && !expected.Keys.All(received.ContainsKey))
        {
            foreach (var (_, headers, bytes) in receiver.Received)
            {
                var body = System.Text.Encoding.UTF8.GetString(bytes);
                received[JsonDocument.Parse(body).RootElement.GetProperty("eventId").GetGuid()] = (headers, body);
            }

            await Task.Delay(250);
        }

        Assert.Equal(expected.Keys.Order(), received.Keys.Order());
        foreach (var (eventId, (headers, body)) in received)
        {
            var timestamp = long.Parse(headers[WebhookSignature.TimestampHeader], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(WebhookSignature.Sign(secret, timestamp, body), headers[WebhookSignature.SignatureHeader]);
            // The Standard Webhooks reference library, as the sample receiver uses it, accepts the delivery, and refuses it altered.
            var standard = new Microsoft.AspNetCore.Http.HeaderDictionary(headers.ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value)));
            Assert.True(HospitalIntegration.LearningSystemClient.IsGenuineDelivery(secret, body, standard));
            Assert.False(HospitalIntegration.LearningSystemClient.IsGenuineDelivery(secret, body + " ", standard));
            Assert.Equal(headers[WebhookSignature.DeliveryHeader], headers[WebhookSignature.StandardIdHeader]);
            var notification = JsonDocument.Parse(body).RootElement;
            Assert.Equal(expected[eventId], notification.GetProperty("topic").GetString());
            Assert.Equal(organisation, notification.GetProperty("organisation").GetString());
            Assert.DoesNotContain("pd1:", body, StringComparison.Ordinal);
        }

        var log = await http.GetFromJsonAsync<JsonElement>($"/api/webhooks/{subscription.GetProperty("id").GetGuid()}/deliveries");
        Assert.Equal(expected.Count, log.GetArrayLength());
        Assert.All(log.EnumerateArray(), d => Assert.NotEqual(JsonValueKind.Null, d.GetProperty("deliveredAt").ValueKind));
        Assert.Contains(log.EnumerateArray(), d => d.GetProperty("attempts")[0].GetProperty("error").ValueKind == JsonValueKind.String);
    }

    [Fact]
    public async Task Subscriptions_need_a_url_and_known_topics_and_are_listed_without_their_secret()
    {
        using var http = service.ClientFor("tests", Stories.NewOrganisation("webhooks"));

        using var refused = await http.PostAsJsonAsync("/api/webhooks", new { url = "not a url", topics = new[] { "gossip" } });
        using var subscribed = await http.PostAsJsonAsync("/api/webhooks", new { url = "https://epr.example.org/hooks", topics = new[] { Topics.DecisionMade } });
        var listed = await http.GetStringAsync(new Uri("/api/webhooks", UriKind.Relative));
        var id = (await subscribed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("https://epr.example.org/hooks", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", listed, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync(new Uri($"/api/webhooks/{id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync(new Uri($"/api/webhooks/{id}", UriKind.Relative))).StatusCode);
    }

    /// <summary>The events a subscriber to every topic should hear of, by id, with their topic.</summary>
    private async Task<Dictionary<Guid, string>> NotableEventsAsync(string organisation)
    {
        await using var session = service.Host.Services.GetRequiredService<IDocumentStore>().QuerySession(organisation);
        var events = await session.Events.QueryAllRawEvents().ToListAsync();
        return events.Select(e => (e.Id, Topic: e.Data switch
            {
                LearningSystem.Priorities.PriorityDecided or LearningSystem.Negotiating.Deciding.ChangeDecided => Topics.DecisionMade,
                LearningSystem.ServiceRedesigns.ChangeImplemented => Topics.ChangeImplemented,
                LearningSystem.Feedback.FeedbackResponded => Topics.FeedbackAnswered,
                _ => null,
            }))
            .Where(e => e.Topic is not null).ToDictionary(e => e.Id, e => e.Topic!);
    }
}

/// <summary>The webhooks scope cannot aim the service inside its own network.</summary>
[Collection(ServiceGroup.Name)]
public sealed class GuardingWebhookTargets(ServiceFixture service)
{
    [Theory]
    [InlineData("http://127.0.0.1:5432/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.1.2.3/hooks")]
    [InlineData("http://192.168.0.10/hooks")]
    [InlineData("http://172.20.0.1/hooks")]
    [InlineData("http://[::1]:8080/hooks")]
    [InlineData("http://0.0.0.0/hooks")]
    [InlineData("http://localhost:5080/hooks")]
    public async Task Subscriptions_to_addresses_inside_the_network_are_400(string url)
    {
        using var http = service.ClientFor();

        using var refused = await http.PostAsJsonAsync("/api/webhooks", new { url, topics = new[] { Topics.DecisionMade } });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _));
    }

    [Fact]
    public async Task An_allowed_address_is_accepted_and_the_rule_is_applied_again_when_connecting()
    {
        var targets = new LearningSystem.Notifications.WebhookTargets(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Webhooks:AllowedHosts:0"] = "10.9.0.0/16" }).Build(),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Production" });

        Assert.True(targets.IsAllowed(System.Net.IPAddress.Parse("10.9.3.4")));
        Assert.False(targets.IsAllowed(System.Net.IPAddress.Parse("10.8.3.4")));
        Assert.False(targets.IsAllowed(System.Net.IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.Equal("Webhooks are delivered over https only.", await targets.RefusalAsync("http://10.9.3.4/hooks", CancellationToken.None));
        Assert.Null(await targets.RefusalAsync("https://10.9.3.4/hooks", CancellationToken.None));
        // What the delivery's own client does: the address dialled is checked, not only the one seen when subscribing.
        using var client = new HttpClient(new SocketsHttpHandler { ConnectCallback = targets.ConnectAsync });
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync("http://127.0.0.1:9/hooks", new StringContent("{}")));
        Assert.Equal("address not allowed", LearningSystem.Notifications.WebhookTargets.Reason(refused));
    }
}
