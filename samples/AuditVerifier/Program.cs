using System.Text.Json;
using LearningSystem.Audit;
using LearningSystem.Audit.Checkpoints;
using LearningSystem.Audit.Verifying;

// Verifies an audit export (GET /api/audit/export) against checkpoints kept outside the service
// (GET /api/audit/checkpoints.ndjson), trusting only the public keys given: every link, every Merkle root,
// every signature, and the chain of checkpoints. Prints the same report as /api/audit/verify.
if (args.Length < 2)
{
    await Console.Error.WriteLineAsync("usage: AuditVerifier <export.ndjson> <checkpoints.ndjson> [trusted-public-key.pem ...]");
    return 2;
}

var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
var checkpoints = new List<AuditCheckpoint>();
foreach (var line in File.ReadLines(args[1]).Where(l => l.Length > 0))
{
    checkpoints.Add(JsonSerializer.Deserialize<AuditCheckpoint>(line, web)!);
}

var trusted = TrustedKeys.FromPem(args.Skip(2).Select(File.ReadAllText));
ChainCheck? check = null;
foreach (var line in File.ReadLines(args[0]).Where(l => l.Length > 0))
{
    var row = JsonDocument.Parse(line).RootElement;
    switch (row.GetProperty("kind").GetString())
    {
        case "export":
            var organisation = row.GetProperty("organisation").GetString()!;
            Guid? stream = row.TryGetProperty("stream", out var s) ? s.GetGuid() : null;
            var after = row.TryGetProperty("after", out var a) ? a.GetInt64() : long.MinValue;
            check = new ChainCheck(organisation, stream, checkpoints, trusted, after);
            break;
        case "resume":
            Started(check).Resume(row.GetProperty("streamId").GetGuid(), row.GetProperty("version").GetInt64(), row.GetProperty("link").GetString()!);
            break;
        case "event":
            Started(check).Add(row.Deserialize<StoredEvent>(web)!);
            break;
        case "stream":
            Started(check).Recorded(row.GetProperty("streamId").GetGuid(), row.GetProperty("version").GetInt64());
            break;
    }
}

var report = Started(check).Finish();
Console.WriteLine(JsonSerializer.Serialize(report, web));
await Console.Error.WriteLineAsync(report.Intact
    ? $"intact: {report.EventsChecked} events in {report.StreamsChecked} streams, {report.Checkpoints.Count} checkpoints{(report.SignaturesChecked ? ", signatures checked" : ", signatures NOT checked (no trusted key given)")}"
    : report.FirstBroken is { } first
        ? $"NOT intact: stream {first.StreamId} version {first.Version}: {first.Problem}. {first.Detail}"
        : $"NOT intact: {string.Join(" ", report.Checkpoints.Where(c => !c.Matches).Select(c => $"checkpoint {c.Number}: {c.Problem}. {c.Detail}"))}");
return report.Intact ? 0 : 1;

static ChainCheck Started(ChainCheck? check) => check ?? throw new InvalidDataException("The export does not start with its kind: export line.");
