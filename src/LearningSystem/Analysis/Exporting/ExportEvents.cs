using System.Text;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LearningSystem.Feedback;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Attribution;

namespace LearningSystem.Analysis.Exporting;

/// <summary>
/// Which events an export holds: after a sequence, of some stream kinds and event types, in a time window, by a
/// participant or group; and the purpose it is for, which opens the personal text of patients who consented to it.
/// </summary>
public sealed record ExportFilter(
    long After, string[] Kinds, string[] Types, DateTimeOffset? From, DateTimeOffset? To, Guid? Participant, StakeholderGroup? Group,
    ConsentScope? Purpose = null)
{
    public static ExportFilter Everything { get; } = new(0, [], [], null, null, null, null);
}

/// <summary>
/// The organisation's events as NDJSON, one per line in sequence order, streamed straight from the database so
/// that memory stays flat whatever the size. Personal text follows consent and erasure: it reads
/// <c>[withheld]</c> unless the export names a purpose the patient consented to (then it is opened, or reads
/// <c>[erased]</c> once the patient is erased). Identifiers such as a patient's reference are always withheld.
/// </summary>
public static partial class ExportEventsEndpoint
{
    public const string Withheld = SealedValue.WithheldMarker;

    /// <summary>
    /// Filters combine: <c>after</c> (a sequence, to resume), <c>kinds</c> (stream kinds such as
    /// <c>priority,round</c>), <c>types</c> (event types such as <c>objection_raised</c>), <c>from</c>/<c>to</c>
    /// (time window), <c>participant</c>, <c>group</c> (the acting participant's group at the time). <c>purpose</c>
    /// (a consent scope such as <c>research</c>) opens the feedback text of patients who consented to it.
    /// </summary>
    [WolverineGet("/api/export/events", OperationId = "exportEvents"), Tags(AnalysisModule.Tag)]
    [Produces("application/x-ndjson")]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task Get(
        long? after, string? kinds, string? types, DateTimeOffset? from, DateTimeOffset? to, Guid? participant, string? group, string? purpose,
        HttpContext http, IQuerySession session, PersonalDataVault vault, CancellationToken ct)
    {
        var filter = new ExportFilter(after ?? 0, List(kinds), List(types), from, to, participant,
            group is null ? null : WireValues<StakeholderGroup>.Parse(group, "group"),
            purpose is null ? null : WireValues<ConsentScope>.Parse(purpose, "purpose"));
        await using var connection = session.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var keys = new PersonalDataVault.KeysRead();
        http.Response.ContentType = "application/x-ndjson";
        // A download is a file, even an empty one: 200 for an organisation with no events yet, not 204.
        await http.Response.StartAsync(ct);
        await WriteAsync(connection, session.DocumentStore.Options, session.TenantId, filter, http.Response.BodyWriter.AsStream(),
            (field, token, c) => vault.Schema.IsIdentifying(field) ? Task.FromResult(Withheld) : vault.OpenTextAsync(session, token, keys, c), ct);
    }

    /// <summary>
    /// Writes the organisation's events that pass <paramref name="filter"/> to <paramref name="output"/>, one JSON
    /// line each; answers how many. <paramref name="open"/> opens a sealed value of a field, for events the purpose opens (or withholds it, if it identifies someone).
    /// </summary>
    public static async Task<long> WriteAsync(
        NpgsqlConnection connection, IReadOnlyStoreOptions store, string organisation, ExportFilter filter, Stream output,
        Func<string, string, CancellationToken, Task<string>> open, CancellationToken ct)
    {
        var schema = store.DatabaseSchemaName;
        // A feedback stream is opened when the patient's consent, as it now stands, covers the purpose.
        var consented = filter.Purpose is null ? "false" : "coalesce((f.data -> 'consent') ? @purpose, false)";
        var sql = new StringBuilder($"""
            select e.seq_id, e.id, e.stream_id, s.type, e.version, e.type, e.timestamp, {consented}, e.data::text, e.headers::text, e.correlation_id, e.causation_id
            from {schema}.mt_events e join {schema}.mt_streams s on s.id = e.stream_id and s.tenant_id = e.tenant_id
            """);
        await using var command = new NpgsqlCommand { Connection = connection };
        if (filter.Purpose is { } purpose)
        {
            sql.Append(CultureInfo.InvariantCulture, $" left join {store.Schema.For<PatientFeedback>()} f on f.id = e.stream_id and f.tenant_id = e.tenant_id");
            // Marten stores enums by their C# names.
            command.Parameters.AddWithValue("purpose", purpose.ToString());
        }

        sql.Append(" where e.tenant_id = @tenant and e.seq_id > @after");
        command.Parameters.AddWithValue("tenant", organisation);
        command.Parameters.AddWithValue("after", filter.After);
        if (filter.Kinds.Length > 0)
        {
            // Kinds as the wire spells them ("serviceRedesign") or as stored ("service_redesign").
            sql.Append(" and s.type = any(@kinds)");
            command.Parameters.AddWithValue("kinds", filter.Kinds.Select(WireJson.Alias).ToArray());
        }

        if (filter.Types.Length > 0)
        {
            sql.Append(" and e.type = any(@types)");
            command.Parameters.AddWithValue("types", filter.Types);
        }

        if (filter.From is { } start)
        {
            sql.Append(" and e.timestamp >= @from");
            command.Parameters.AddWithValue("from", start);
        }

        if (filter.To is { } end)
        {
            sql.Append(" and e.timestamp < @to");
            command.Parameters.AddWithValue("to", end);
        }

        if (filter.Participant is { } who)
        {
            sql.Append($" and e.headers ->> '{WhoActed.ActingParticipantKey}' = @participant");
            command.Parameters.AddWithValue("participant", who.ToString());
        }

        if (filter.Group is { } by)
        {
            sql.Append($" and e.headers ->> '{WhoActed.ActingGroupKey}' = @group");
            command.Parameters.AddWithValue("group", WireValues<StakeholderGroup>.Name(by));
        }

        command.CommandText = sql.Append(" order by e.seq_id").ToString();
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        long lines = 0;
        while (await reader.ReadAsync(ct))
        {
            json.WriteStartObject();
            json.WriteNumber("sequence", reader.GetInt64(0));
            json.WriteString("id", reader.GetGuid(1));
            json.WriteString("streamId", reader.GetGuid(2));
            // Columns are read in order (sequential access).
            var (kind, version, type) = (reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt64(4), reader.GetString(5));
            // Erasures are kept on a stream of their own, which has no aggregate type.
            json.WriteString("kind", kind is null ? type == "patient_data_erased" ? "patientErasure" : "event" : WireJson.Camel(kind));
            json.WriteNumber("version", version);
            json.WriteString("type", type);
            json.WriteString("timestamp", reader.GetFieldValue<DateTimeOffset>(6));
            json.WritePropertyName("data");
            var opened = reader.GetBoolean(7);
            var data = reader.GetString(8);
            WireJson.WriteData(json, type, opened ? await OpenAsync(data, open, ct) : Sealed().Replace(data, $"\"{Withheld}\""));
            json.WritePropertyName("headers");
            json.WriteRawValue(reader.IsDBNull(9) ? "null" : reader.GetString(9), skipInputValidation: true);
            json.WriteString("correlationId", reader.IsDBNull(10) ? null : reader.GetString(10));
            json.WriteString("causationId", reader.IsDBNull(11) ? null : reader.GetString(11));
            json.WriteEndObject();
            await json.FlushAsync(ct);
            json.Reset();
            output.WriteByte((byte)'\n');
            if (++lines % 1_000 == 0)
            {
                await output.FlushAsync(ct);
            }
        }

        await output.FlushAsync(ct);
        return lines;
    }

    /// <summary>An event's data with its personal text opened, and identifiers still withheld.</summary>
    private static async Task<string> OpenAsync(string data, Func<string, string, CancellationToken, Task<string>> open, CancellationToken ct)
    {
        var node = JsonNode.Parse(data)!.AsObject();
        foreach (var (name, value) in node.ToArray())
        {
            if (value is JsonValue v && v.TryGetValue<string>(out var text) && SealedValue.IsSealed(text))
            {
                node[name] = await open(name, text, ct);
            }
        }

        return node.ToJsonString();
    }

    private static string[] List(string? csv) =>
        csv?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    /// <summary>A sealed personal value as stored: the vault's prefix and its token.</summary>
    [GeneratedRegex("\"" + SealedValue.Prefix + "[^\"]*\"")]
    private static partial Regex Sealed();
}
