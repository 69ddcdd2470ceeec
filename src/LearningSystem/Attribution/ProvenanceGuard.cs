using Marten;

namespace LearningSystem.Attribution;

/// <summary>
/// No event is appended without an actor on record: the participant who acted, or the integrating client
/// acting in its own name. Whatever code appends, a transaction without one is refused.
/// </summary>
public sealed class ProvenanceGuard : DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        var appends = session.PendingChanges.Streams().Any(s => s.Events.Count > 0);
        if (appends && session.GetHeader(WhoActed.ActingParticipantKey) is null && session.GetHeader(WhoActed.ClientKey) is null)
        {
            throw new InvalidOperationException(
                $"Events must record who acted: set the '{WhoActed.ActingParticipantKey}' or '{WhoActed.ClientKey}' header on the session before appending.");
        }

        return Task.CompletedTask;
    }
}
