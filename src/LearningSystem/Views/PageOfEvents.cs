using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Marten;
using Npgsql;

namespace LearningSystem.Views;

/// <summary>An event as a fold needs it: what happened, and where in its stream.</summary>
internal readonly record struct Folded(object Data, long Version);

/// <summary>
/// A page of streams' events read straight from <c>mt_events</c> and decoded with the store's own serializer,
/// as Marten decodes them, but without the metadata its raw-event query materialises for every event.
/// </summary>
internal static class PageOfEvents
{
    private static readonly ConcurrentDictionary<string, Type> Types = new(StringComparer.Ordinal);
    private static readonly ConditionalWeakTable<IReadOnlyStoreOptions, string[]> Known = new();

    public static async Task<Dictionary<Guid, List<Folded>>> ReadAsync(NpgsqlConnection connection, IReadOnlyStoreOptions options, string tenant, Guid[] streams, CancellationToken ct)
    {
        var serializer = options.Serializer();
        await using var command = new NpgsqlCommand(
            $"""
             select stream_id, version, type, case when type = any(@known) then null else mt_dotnet_type end, data from {options.DatabaseSchemaName}.mt_events
             where tenant_id = @tenant and stream_id = any(@streams) and not coalesce(is_archived, false) order by stream_id, version
             """, connection);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("streams", streams);
        // The .NET type name is only needed for an alias Marten does not know; a million of them cost the read a tenth of its bytes.
        command.Parameters.AddWithValue("known", Known.GetOrAdd(options, o => o.Events.AllKnownEventTypes().Select(t => t.EventTypeName).ToArray()));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var events = new Dictionary<Guid, List<Folded>>();
        List<Folded>? current = null;
        var currentId = Guid.Empty;
        while (await reader.ReadAsync(ct))
        {
            var stream = reader.GetGuid(0);
            if (current is null || stream != currentId)
            {
                events[stream] = current = [];
                currentId = stream;
            }

            var type = TypeOf(options, reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
            current.Add(new Folded(serializer.FromJson(type, reader, 4), reader.GetInt64(1)));
        }

        return events;
    }

    // The stored alias first, as Marten resolves it; the .NET type name only for an alias it does not know.
    private static Type TypeOf(IReadOnlyStoreOptions options, string alias, string? dotnetType) => Types.GetOrAdd(alias, _ =>
        options.Events.AllKnownEventTypes().FirstOrDefault(t => t.EventTypeName == alias)?.EventType
        ?? (dotnetType is null ? null : Type.GetType(dotnetType))
        ?? throw new InvalidOperationException($"No event type is known as '{alias}'."));
}
