using System.Text.Json;
using LearningSystem.Audit.Checkpoints;
using LearningSystem.Audit.Verifying;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace LearningSystem.Audit.Exporting;

/// <summary>
/// The events exactly as stored, with their links, for an auditor to verify without us: one JSON object per
/// line. Personal fields stay the ciphertext the chain links, so nothing personal leaves the service.
/// </summary>
public static class ExportAuditEndpoint
{
    public const string Format = "learningsystem-audit-export/v1";
    public const string MediaType = "application/x-ndjson";

    /// <summary>
    /// The first line names the export (<c>kind: export</c>); after <c>after</c>, a <c>resume</c> line gives each
    /// stream's link as it stood; then every <c>event</c> in sequence order, then each <c>stream</c>'s recorded version.
    /// </summary>
    [WolverineGet("/api/audit/export", OperationId = "exportAudit"), Tags(AuditModule.Tag)]
    [Produces(MediaType)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task Get(Guid? stream, long? after, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        await using var connection = session.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var snapshot = await ChainVerifier.SnapshotAsync(connection, ct);
        var rows = ChainVerifier.ReadAsync(connection, session.DocumentStore.Options.DatabaseSchemaName, session.TenantId, stream, after ?? long.MinValue, ct);
        await using var lines = rows.GetAsyncEnumerator(ct);
        var any = await lines.MoveNextAsync();
        if (stream is { } id && !any)
        {
            throw Rejected.NotFound($"Organisation {session.TenantId} has no stream {id}.", "stream");
        }

        http.Response.ContentType = MediaType;
        var body = http.Response.BodyWriter.AsStream();
        await using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", "export");
            writer.WriteString("format", Format);
            writer.WriteString("organisation", session.TenantId);
            if (stream is { } only)
            {
                writer.WriteString("stream", only);
            }

            if (after is { } from)
            {
                writer.WriteNumber("after", from);
            }

            writer.WriteEndObject();
        }

        body.WriteByte((byte)'\n');
        for (var more = any; more; more = await lines.MoveNextAsync())
        {
            await using (var writer = new Utf8JsonWriter(body))
            {
                Write(writer, lines.Current);
            }

            body.WriteByte((byte)'\n');
            await body.FlushAsync(ct);
        }
    }

    /// <summary>Every checkpoint, oldest first, one per line: what an auditor keeps and later hands to the consistency check or the offline verifier.</summary>
    [WolverineGet("/api/audit/checkpoints.ndjson", OperationId = "exportAuditCheckpoints"), Tags(AuditModule.Tag)]
    [Produces(MediaType)]
    public static async Task GetCheckpoints(HttpContext http, IQuerySession session, CancellationToken ct)
    {
        http.Response.ContentType = MediaType;
        // A download is a file, even an empty one: started now, an organisation without checkpoints answers 200, not 204.
        await http.Response.StartAsync(ct);
        var options = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var body = http.Response.BodyWriter.AsStream();
        await foreach (var checkpoint in session.Chained().ToAsyncEnumerable(ct))
        {
            await JsonSerializer.SerializeAsync(body, checkpoint, options, ct);
            body.WriteByte((byte)'\n');
        }
    }

    private static void Write(Utf8JsonWriter writer, object row)
    {
        writer.WriteStartObject();
        switch (row)
        {
            case StoredEvent e:
                writer.WriteString("kind", "event");
                writer.WriteNumber("sequence", e.Sequence);
                writer.WriteString("id", e.Id);
                writer.WriteString("streamId", e.StreamId);
                writer.WriteNumber("version", e.Version);
                writer.WriteString("type", e.Type);
                writer.WriteString("data", e.Data);
                writer.WriteString("binaryData", e.BinaryData);
                writer.WriteString("timestamp", e.Timestamp);
                writer.WriteString("organisation", e.Organisation);
                writer.WriteString("dotnetType", e.DotnetType);
                writer.WriteString("correlationId", e.CorrelationId);
                writer.WriteString("causationId", e.CausationId);
                writer.WriteString("headers", e.Headers);
                writer.WriteString("link", e.Link);
                writer.WriteBoolean("archived", e.Archived);
                break;
            case StreamResume r:
                writer.WriteString("kind", "resume");
                writer.WriteString("streamId", r.StreamId);
                writer.WriteNumber("version", r.Version);
                writer.WriteString("link", r.Link);
                break;
            case StreamRecord s:
                writer.WriteString("kind", "stream");
                writer.WriteString("streamId", s.StreamId);
                writer.WriteNumber("version", s.Version);
                break;
        }

        writer.WriteEndObject();
    }
}
