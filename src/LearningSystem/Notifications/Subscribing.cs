using FluentValidation;
using LearningSystem.Access;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Notifications;

/// <summary>The integrating client subscribes in its own name.</summary>
public sealed record Subscribe(string? Url, IReadOnlyList<string>? Topics) : IActedByClient;

public sealed class SubscribeValidator : AbstractValidator<Subscribe>
{
    public SubscribeValidator()
    {
        RuleFor(x => x.Url).NotEmpty().MaximumLength(2_000)
            .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
            .WithMessage("Give an absolute http or https URL.");
        RuleFor(x => x.Topics).NotEmpty();
        RuleForEach(x => x.Topics).Must(t => Topics.All.Contains(t)).WithMessage($"Use one of {string.Join(", ", Topics.All)}.");
    }
}

/// <summary>The subscription, with its signing secret: shown this once.</summary>
public sealed record Subscribed(Guid Id, string Secret, IReadOnlyList<string> Topics);

/// <summary>A subscription as listed: without its secret.</summary>
public sealed record SubscriptionView(Guid Id, string Url, IReadOnlyList<string> Topics, string Client, DateTimeOffset Since);

public static class SubscribingEndpoints
{
    [WolverinePost("/api/webhooks", OperationId = "subscribeToWebhooks"), Tags(NotificationsModule.Tag)]
    [ProducesResponseType<Subscribed>(201, "application/json")]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task<IResult> Post(Subscribe command, HttpContext http, IDocumentSession session, WebhookTargets targets, TimeProvider clock)
    {
        if (await targets.RefusalAsync(command.Url!, http.RequestAborted) is { } refusal)
        {
            throw Rejected.Invalid(refusal, "url");
        }

        var subscription = new WebhookSubscription(Guid.CreateVersion7(), command.Url!, [.. command.Topics!.Distinct()], WebhookSignature.NewSecret(),
            http.User.ClientId() ?? WhoActed.UnidentifiedClient, clock.GetUtcNow());
        session.Store(subscription);
        return Results.Created($"/api/webhooks/{subscription.Id}", new Subscribed(subscription.Id, subscription.Secret, subscription.Topics));
    }

    [WolverineGet("/api/webhooks", OperationId = "listWebhooks"), Tags(NotificationsModule.Tag)]
    public static async Task<IReadOnlyList<SubscriptionView>> List(IQuerySession session, CancellationToken ct) =>
        (await session.Query<WebhookSubscription>().OrderBy(s => s.Since).ToListAsync(ct))
            .Select(s => new SubscriptionView(s.Id, s.Url, s.Topics, s.Client, s.Since)).ToArray();

    [WolverineDelete("/api/webhooks/{id}", OperationId = "unsubscribeFromWebhooks"), Tags(NotificationsModule.Tag)]
    [ProducesResponseType(204)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> Delete(Guid id, IDocumentSession session, CancellationToken ct)
    {
        _ = await session.LoadAsync<WebhookSubscription>(id, ct) ?? throw Rejected.NotFound($"No webhook subscription {id}.");
        session.Delete<WebhookSubscription>(id);
        return Results.NoContent();
    }

    /// <summary>The delivery log of a subscription, newest first: every attempt, its answer or error, and when it arrived.</summary>
    [WolverineGet("/api/webhooks/{id}/deliveries", OperationId = "listWebhookDeliveries"), Tags(NotificationsModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IReadOnlyList<WebhookDelivery>> Deliveries(Guid id, int? limit, long? after, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var take = Paging.Limit(limit);
        _ = await session.LoadAsync<WebhookSubscription>(id, ct) ?? throw Rejected.NotFound($"No webhook subscription {id}.");
        // Newest first: the next page holds the deliveries of events older than the cursor's sequence.
        var query = session.Query<WebhookDelivery>().Where(d => d.SubscriptionId == id);
        if (after is { } before)
        {
            query = query.Where(d => d.Notification.Sequence < before);
        }

        var deliveries = await query.OrderByDescending(d => d.Notification.Sequence).Take(take + 1).ToListAsync(ct);
        if (deliveries.Count <= take)
        {
            return deliveries;
        }

        Paging.LinkNext(http, deliveries[take - 1].Notification.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return deliveries.Take(take).ToArray();
    }
}
