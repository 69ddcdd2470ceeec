using Marten;

namespace LearningSystem.Http.Idempotency;

/// <summary>
/// Stores a keyed command's answer in the transaction that appends its events, so that a process killed
/// after the commit and before answering leaves the answer behind: a retry replays it instead of running
/// the command again or waiting on a claim nobody will finish.
/// </summary>
internal sealed class AnswerWithTheCommand : DocumentSessionListenerBase
{
    private static readonly HttpContextAccessor Requests = new();

    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (Requests.HttpContext is not { } context
            || context.Items[IdempotencyKey.ClaimItem] is not IdempotencyClaim claim
            || context.Items[IdempotencyKey.AnswerItem] is not { } answer
            || session.TenantId != claim.Organisation)
        {
            return Task.CompletedTask;
        }

        if (answer is WrittenAnswer written)
        {
            session.Store(claim.Answered(context.Response, written.ContentType, written.Body));
            return Task.CompletedTask;
        }

        // The body as Wolverine will write it, after this commit, with the same JSON options.
        var json = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        session.Store(claim.Answered(context.Response, "application/json; charset=utf-8", System.Text.Json.JsonSerializer.Serialize(answer, answer.GetType(), json)));
        return Task.CompletedTask;
    }

    // Only a commit that carried the answer counts: a transaction lost to a race is retried, and rolled back.
    public override Task AfterCommitAsync(IDocumentSession session, Marten.Services.IChangeSet commit, CancellationToken token)
    {
        if (Requests.HttpContext?.Items[IdempotencyKey.ClaimItem] is IdempotencyClaim claim
            && commit.Updated.Concat(commit.Inserted).Any(d => d is IdempotentRequest r && r.Id == claim.Id))
        {
            claim.AnsweredInTransaction = true;
        }

        return Task.CompletedTask;
    }
}
