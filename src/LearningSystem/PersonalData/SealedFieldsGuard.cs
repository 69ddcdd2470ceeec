using Marten;

namespace LearningSystem.PersonalData;

/// <summary>
/// The last line of defence: a transaction that would append a personal field in clear text is refused,
/// because an immutable store could never take it back.
/// </summary>
public sealed class SealedFieldsGuard(PersonalDataSchema schema) : DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        foreach (var e in session.PendingChanges.Streams().SelectMany(s => s.Events))
        {
            foreach (var field in schema.FieldsOf(e.Data.GetType()))
            {
                if (field.Get(e.Data) is { } value && !SealedValue.IsSealed(value))
                {
                    throw new InvalidOperationException($"{e.Data.GetType().Name}.{field.Name} is personal data and must be sealed before it is appended.");
                }
            }
        }

        return Task.CompletedTask;
    }
}
