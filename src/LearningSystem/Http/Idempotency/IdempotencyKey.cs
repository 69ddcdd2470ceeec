namespace LearningSystem.Http.Idempotency;

/// <summary>
/// A command sent with an <c>Idempotency-Key</c> runs once: every retry with the same key and body gets the
/// first answer back (see <see cref="IdempotentCommands"/>). Keys belong to the client and organisation, and are
/// kept for <c>Idempotency:KeepHours</c>.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int DefaultKeepHours = 24;
    public const string ClaimItem = "idempotency-claim";
    public const string AnswerItem = "idempotency-answer";

    /// <summary>Remembers a command's answer (Created or Accepted) for the transaction that commits it.</summary>
    public static void Remember(HttpContext context, object answer) => context.Items[AnswerItem] = answer;
}

/// <summary>An answer an endpoint writes itself (a FHIR resource, say), remembered as it will be written: it holds no personal text.</summary>
public sealed record WrittenAnswer(string ContentType, string Body);
