using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LearningSystem.Hosting;
using LearningSystem.Participants;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace LearningSystem.Analysis;

/// <summary>
/// The organisation's events as NDJSON, one per line in sequence order, streamed straight from the database so
/// that memory stays flat whatever the size. Personal fields are never exported: sealed values read
/// <c>[withheld]</c> (erased or not), so exports follow the consent and erasure rules by carrying no personal text.
/// </summary>
/// <summary>Which events an export holds: after a sequence, of some stream kinds and event types, in a time window, by a participant or group.</summary>
public sealed record ExportFilter(
    long After, string[] Kinds, string[] Types, DateTimeOffset? From, DateTimeOffset? To, Guid? Participant, StakeholderGroup? Group)
{
    public static ExportFilter Everything { get; } = new(0, [], [], null, null, null, null);
}

public static partial class ExportEventsEndpoint
{
    public const string Withheld = "[withheld]";

    /// <summary>
    /// Filters combine: <c>after</c> (a sequence, to resume), <c>kinds</c> (stream kinds such as
    /// <c>priority,round</c>), <c>types</c> (event types such as <c>objection_raised</c>), <c>from</c>/<c>to</c>
    /// (time window), <c>participant</c>, <c>group</c> (the acting participant's group at the time).
    /// </summary>
    [WolverineGet("/api/export/events", OperationId = "exportEvents"), Tags("Analysis")]
    [Produces("application/x-ndjson")]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task Get(
        long? after, string? kinds, string? types, DateTimeOffset? from, DateTimeOffset? to, Guid? participant, string? group,
        HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var filter = new ExportFilter(after ?? 0, List(kinds), List(types), from, to, participant,
            group is null ? null : WireValues<StakeholderGroup>.Parse(group, "group"));
        await using var connection = session.DocumentStore.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        http.Response.ContentType = "application/x-ndjson";
        await WriteAsync(connection, session.DocumentStore.Options.DatabaseSchemaName, session.TenantId, filter, http.Response.BodyWriter.AsStream(), ct);
    }

    /// <summary>Writes the organisation's events that pass <paramref name="filter"/> to <paramref name="output"/>, one JSON line each; answers how many.</summary>
    public static async Task<long> WriteAsync(NpgsqlConnection connection, string schema, string organisation, ExportFilter filter, Stream output, CancellationToken ct)
    {
        var sql = new StringBuilder($"""
            select e.seq_id, e.id, e.stream_id, s.type, e.version, e.type, e.timestamp, e.data::text, e.headers::text, e.correlation_id, e.causation_id
            from {schema}.mt_events e join {schema}.mt_streams s on s.id = e.stream_id and s.tenant_id = e.tenant_id
            where e.tenant_id = @tenant and e.seq_id > @after
            """);
        await using var command = new NpgsqlCommand { Connection = connection };
        command.Parameters.AddWithValue("tenant", organisation);
        command.Parameters.AddWithValue("after", filter.After);
        if (filter.Kinds.Length > 0)
        {
            sql.Append(" and s.type = any(@kinds)");
            command.Parameters.AddWithValue("kinds", filter.Kinds);
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
            sql.Append($" and e.headers ->> '{Provenance.ActingParticipantKey}' = @participant");
            command.Parameters.AddWithValue("participant", who.ToString());
        }

        if (filter.Group is { } by)
        {
            sql.Append($" and e.headers ->> '{Provenance.ActingGroupKey}' = @group");
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
            json.WriteString("kind", reader.IsDBNull(3) ? null : reader.GetString(3));
            json.WriteNumber("version", reader.GetInt64(4));
            json.WriteString("type", reader.GetString(5));
            json.WriteString("timestamp", reader.GetFieldValue<DateTimeOffset>(6));
            json.WritePropertyName("data");
            json.WriteRawValue(Sealed().Replace(reader.GetString(7), $"\"{Withheld}\""), skipInputValidation: true);
            json.WritePropertyName("headers");
            json.WriteRawValue(reader.IsDBNull(8) ? "null" : reader.GetString(8), skipInputValidation: true);
            json.WriteString("correlationId", reader.IsDBNull(9) ? null : reader.GetString(9));
            json.WriteString("causationId", reader.IsDBNull(10) ? null : reader.GetString(10));
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

    private static string[] List(string? csv) =>
        csv?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    /// <summary>A sealed personal value as stored: the vault's prefix and its token.</summary>
    [GeneratedRegex("\"" + PersonalData.PersonalDataVault.Prefix + "[^\"]*\"")]
    private static partial Regex Sealed();
}
