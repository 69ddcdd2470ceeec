using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LearningSystem.Notifications;
using Marten;
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
        await using var receiver = new Receiver();
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
