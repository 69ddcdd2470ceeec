using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace LearningSystem.Benchmarks;

/// <summary>
/// FHIR batch intake (`-- fhir [entries]`): the published service, on its own durable PostgreSQL, records a batch
/// Bundle of 1,000 and then of <c>entries</c> QuestionnaireResponses (10,000 unless given), each sent and answered
/// as a stream, while the service's memory is sampled; then the same number of feedback records through the JSON
/// command, one after another, for the ratio. Writes docs/benchmarks/fhir.md.
/// </summary>
public static partial class ServiceBenchmark
{
    private const string QuestionnaireResponseJson = """
        {"resourceType":"QuestionnaireResponse","questionnaire":"urn:learningsystem:questionnaire:patient-feedback","status":"completed",
         "subject":{"type":"Patient","identifier":{"system":"https://trust.example.org/mrn","value":"kiosk-PATIENT"}},
         "authored":"2026-11-18T09:30:00Z","source":{"display":"ward-survey-kiosk"},
         "item":[{"linkId":"service","answer":[{"valueString":"Outpatient Diabetes Clinic"}]},
                 {"linkId":"rating","answer":[{"valueCoding":{"system":"urn:learningsystem:friends-and-family-test","code":"poor"}}]},
                 {"linkId":"comment","answer":[{"valueString":"I waited two hours and nobody told me why (NUMBER)."}]},
                 {"linkId":"consent","answer":[{"valueCoding":{"system":"urn:learningsystem:consent-purpose","code":"serviceImprovement"}}]}]}
        """;

    public static async Task FhirAsync(string root, int entries)
    {
        await using var postgres = await StartPostgresAsync();
        var dll = await PublishAsync(root);
        var port = LearningSystem.LocalPostgres.LocalPostgresServer.FreePort();
        using var http = ServiceClient(port);
        http.Timeout = Timeout.InfiniteTimeSpan;
        var (service, started) = StartService(dll, postgres.ConnectionString, port);
        try
        {
            await FirstCreatedAsync(http, started);
            var rows = new List<string>();
            var idle = Megabytes(service);
            var batchRate = 0.0;
            var peaks = new List<double>();
            var (recordedLast, secondsLast) = (0, 0.0);
            foreach (var size in new[] { 1_000, entries }.Distinct())
            {
                var (seconds, recorded, peak) = await BatchAsync(http, service, size);
                batchRate = recorded / seconds;
                peaks.Add(peak);
                (recordedLast, secondsLast) = (recorded, seconds);
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| batch Bundle, {size:N0} entries | {recorded:N0} | {seconds:F1} | {recorded / seconds:F0} | {idle:F0} | {peak:F0} |"));
            }

            var json = Stopwatch.StartNew();
            for (var i = 0; i < entries; i++)
            {
                await PostAsync(http, "/api/patient-feedback", Feedback(i));
            }

            var jsonSeconds = json.Elapsed.TotalSeconds;
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| JSON command, one after another, {entries:N0} | {entries:N0} | {jsonSeconds:F1} | {entries / jsonSeconds:F0} | | {Megabytes(service):F0} |"));
            var ratio = batchRate / (entries / jsonSeconds);
            var report = new StringBuilder()
                .AppendLine("# FHIR batch intake")
                .AppendLine()
                .AppendLine(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project tests/LearningSystem.Benchmarks -- fhir {entries}`, {DateTime.UtcNow:yyyy-MM-dd}, on {Environment.ProcessorCount} cores.")
                .AppendLine("The service as published, on its own PostgreSQL (fsync on). Each Bundle is one request, sent and answered as a stream;")
                .AppendLine("each entry is recorded in a transaction of its own, sealed under its patient's key (one of 500 patients). The JSON command")
                .AppendLine("records the same feedback one request after another. Memory is the service process's resident set, sampled every 100 ms.")
                .AppendLine()
                .AppendLine("| what | recorded | seconds | per second | service MB before | service MB at most |")
                .AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |")
                .AppendJoin(Environment.NewLine, rows).AppendLine()
                .AppendLine()
                .AppendLine(CultureInfo.InvariantCulture, $"A batch entry costs {1 / ratio:F2} times a JSON command (the batch records {ratio:F2} as many per second). The service's")
                .AppendLine(CultureInfo.InvariantCulture, $"memory was at most {peaks[0]:F0} MB during the Bundle of 1,000 and {peaks[^1]:F0} MB during the Bundle of {entries:N0}: it holds one entry at a time.");
            var file = Path.Combine(root, "docs", "benchmarks", "fhir.md");
            await File.WriteAllTextAsync(file, report.ToString());
            await TargetsSummary.RecordAsync(root, "fhir", TargetsSummary.Block("fhir", $"dotnet run -c Release --project tests/LearningSystem.Benchmarks -- fhir {entries}",
            [
                (string.Create(CultureInfo.InvariantCulture, $"a batch of {entries:N0} is recorded whole, without timing out"),
                    string.Create(CultureInfo.InvariantCulture, $"{recordedLast:N0} in {secondsLast:F1} s, {batchRate:F0}/s against the JSON command's {entries / jsonSeconds:F0}/s ({ratio:F2})"),
                    recordedLast == entries),
                ("the service's memory stays flat as the Bundle grows", string.Create(CultureInfo.InvariantCulture, $"{peaks[0]:F0} MB at most for 1,000, {peaks[^1]:F0} MB for {entries:N0}"),
                    peaks[^1] <= peaks[0] * 1.1),
            ]));
            Console.WriteLine(report);
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }
    }

    /// <summary>Sends one batch of <paramref name="size"/> entries as it is written, reads the answer as it comes; answers the seconds, the entries recorded and the service's peak memory.</summary>
    private static async Task<(double Seconds, int Recorded, double PeakMegabytes)> BatchAsync(HttpClient http, Process service, int size)
    {
        using var sampling = new CancellationTokenSource();
        var peak = 0.0;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Megabytes(service));
                await Task.Delay(100, CancellationToken.None);
            }
        });
        var watch = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir") { Content = new BundleContent(size) };
        using var answer = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (answer.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"POST /fhir answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        }

        // Count the answers as they arrive, without holding them.
        var recorded = 0;
        using (var reader = new StreamReader(await answer.Content.ReadAsStreamAsync()))
        {
            var buffer = new char[16 * 1024];
            var carry = "";
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                var text = carry + new string(buffer, 0, read);
                recorded += CountOf(text, "\"201 Created\"");
                carry = text[^Math.Min(16, text.Length)..];
                recorded -= CountOf(carry, "\"201 Created\"");
            }

            recorded += CountOf(carry, "\"201 Created\"");
        }

        var seconds = watch.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        return (seconds, recorded, peak);
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static double Megabytes(Process process)
    {
        process.Refresh();
        return process.WorkingSet64 / 1024.0 / 1024.0;
    }

    /// <summary>A batch Bundle written as it is sent: its size never sits in memory here either.</summary>
    private sealed class BundleContent : HttpContent
    {
        private readonly int _size;

        public BundleContent(int size)
        {
            _size = size;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/fhir+json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
            await writer.WriteAsync("""{"resourceType":"Bundle","type":"batch","entry":[""");
            for (var i = 0; i < _size; i++)
            {
                var resource = QuestionnaireResponseJson.Replace("PATIENT", (i % Patients).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                    .Replace("NUMBER", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
                await writer.WriteAsync($"{(i == 0 ? "" : ",")}{{\"resource\":{resource},\"request\":{{\"method\":\"POST\",\"url\":\"QuestionnaireResponse\"}}}}");
            }

            await writer.WriteAsync("]}");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
