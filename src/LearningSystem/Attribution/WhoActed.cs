using JasperFx.Events;
using LearningSystem.Access;
using Marten;
using LearningSystem.Http;

namespace LearningSystem.Attribution;

/// <summary>A command made by a participant; the participant is recorded on every event it appends.</summary>
public interface IActedBy
{
    Guid? ActingParticipant { get; }
}

/// <summary>
/// A command the integrating client makes in its own name, with no participant behind it: a survey kiosk
/// recording feedback, a registry registering a participant. The client is the actor on record.
/// </summary>
public interface IActedByClient;

/// <summary>
/// Stamps every appended event with who acted, for which organisation, and which request caused it:
/// the start of the trail auditors follow.
/// </summary>
public static class WhoActed
{
    public const string CorrelationHeader = "X-Correlation-Id";
    public const string RequestHeader = "X-Request-Id";
    public const string ActingParticipantKey = "actingParticipant";
    public const string ActingGroupKey = "actingGroup";
    public const string ClientKey = "client";
    public const string OrganisationKey = "organisation";

    /// <summary>Recorded when no signed-in client made the change (the service's own work).</summary>
    public const string UnidentifiedClient = "unidentified";

    public static void Stamp(HttpContext context, IDocumentSession session)
    {
        StampSession(context, session);
        var (correlationId, requestId) = Ids(context);
        context.Response.Headers[CorrelationHeader] = correlationId;
        context.Response.Headers[RequestHeader] = requestId;
    }

    /// <summary>The stamps on a session of the request's own, once its answer may have started (a streamed batch).</summary>
    public static void StampSession(HttpContext context, IDocumentSession session)
    {
        var (correlationId, requestId) = Ids(context);
        session.CorrelationId = correlationId;
        session.CausationId = requestId;
        session.SetHeader(OrganisationKey, session.TenantId);
        session.SetHeader(ClientKey, context.User.ClientId() ?? UnidentifiedClient);
    }

    public static void StampActor<T>(T command, IDocumentSession session) where T : IActedBy
    {
        if (command.ActingParticipant is { } participant)
        {
            session.SetHeader(ActingParticipantKey, participant.ToString());
        }
    }

    /// <summary>The participant who acts and their stakeholder group at this moment, once they are known.</summary>
    public static void StampParticipant<TGroup>(IDocumentSession session, Guid participant, TGroup group) where TGroup : struct, Enum
    {
        session.SetHeader(ActingParticipantKey, participant.ToString());
        session.SetHeader(ActingGroupKey, WireValues<TGroup>.Name(group));
    }

    public static Guid? ActingParticipant(IEvent e) =>
        e.Headers?.TryGetValue(ActingParticipantKey, out var value) == true && Guid.TryParse(value?.ToString(), out var id) ? id : null;

    /// <summary>The request's correlation and request ids: the caller's, where usable, else new ones; the same all through the request.</summary>
    public static (string CorrelationId, string RequestId) Ids(HttpContext context)
    {
        if (context.Items[typeof(WhoActed)] is ValueTuple<string, string> known)
        {
            return known;
        }

        var ids = (Inbound(context, CorrelationHeader), Inbound(context, RequestHeader));
        context.Items[typeof(WhoActed)] = ids;
        return ids;
    }

    // Callers may pass their own ids so their logs line up with ours; anything unusable is replaced.
    private static string Inbound(HttpContext context, string header)
    {
        var value = context.Request.Headers[header].ToString();
        return Usable(value) ? value : Guid.NewGuid().ToString();
    }

    private static bool Usable(string value) =>
        value.Length is > 0 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
