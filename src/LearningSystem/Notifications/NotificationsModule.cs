using LearningSystem.Http.Describing;
using Marten;
using Wolverine;
using Wolverine.ErrorHandling;

namespace LearningSystem.Notifications;

[ApiTag(Tag, "Webhook subscriptions for integrating systems, and the log of every delivery.")]
public static class NotificationsModule
{
    public const string Tag = "Notifications";

    /// <summary>Retries a delivery after 1 s, 5 s, 30 s, 2 min, 10 min, 1 h, 6 h and 24 h, then leaves it in the dead letters.</summary>
    public static readonly int[] DefaultRetrySeconds = [1, 5, 30, 120, 600, 3_600, 21_600, 86_400];

    public static void AddNotifications(this WebApplicationBuilder builder)
    {
        var delays = builder.Configuration.GetSection("Webhooks:RetryDelaysSeconds").Get<int[]>() is { Length: > 0 } configured ? configured : DefaultRetrySeconds;
        if (delays.Length > 25)
        {
            throw new InvalidOperationException("Webhooks:RetryDelaysSeconds may hold at most 25 delays (Wolverine's limit).");
        }

        builder.Services.AddSingleton<WebhookTargets>();
        builder.Services.AddHttpClient(Delivering.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                ConnectCallback = services.GetRequiredService<WebhookTargets>().ConnectAsync,
                AllowAutoRedirect = false,
            });
        builder.Services.ConfigureWolverine(options =>
        {
            // Forwarded events and deliveries are kept in the database until handled, so a restart loses none.
            options.Policies.UseDurableLocalQueues();
            options.PublishMessage<DeliverWebhook>().ToLocalQueue("webhooks");
            options.OnException<WebhookNotDelivered>().ScheduleRetry(delays.Select(s => TimeSpan.FromSeconds(s)).ToArray());
        });
    }

    public static StoreOptions AddNotifications(this StoreOptions options)
    {
        options.Schema.For<WebhookSubscription>();
        options.Schema.For<WebhookDelivery>().Index(d => d.SubscriptionId);
        return options;
    }
}
