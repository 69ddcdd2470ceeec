using LearningSystem.PersonalData;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using LearningSystem.Feedback;
using LearningSystem.Negotiating;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using Marten;
using Npgsql;

namespace LearningSystem.Benchmarks;

/// <summary>Load: closed-loop workers sending commands over HTTP, and the raw Marten equivalents of those commands.</summary>
public static partial class ServiceBenchmark
{
    /// <summary>The load generator's client of the service, signed in with the benchmark's key.</summary>
    private static HttpClient ServiceClient(int port)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        return http;
    }

    private static object Feedback(long i) => new
    {
        service = "Outpatient Diabetes Clinic", source = "ward-survey-kiosk", receivedAt = DateTimeOffset.UtcNow, rating = "poor",
        comment = $"I waited two hours and nobody told me why ({i}).", patientRef = $"kiosk-{i % Patients}", consent = new[] { "serviceImprovement" },
    };

    private static async Task RawFeedbackAsync(IDocumentStore store, long i)
    {
        await using var session = BenchmarkDatabase.Session(store);
        var id = Guid.CreateVersion7();
        session.Events.StartStream<PatientFeedback>(id, new PatientFeedbackRecorded(
            id, $"feedback:{id}", "Outpatient Diabetes Clinic", "ward-survey-kiosk", DateTimeOffset.UtcNow, FeedbackRating.Poor,
            $"I waited two hours and nobody told me why ({i}).", null, [ConsentScope.ServiceImprovement], DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
    }

    /// <summary>What the objection endpoint does to the store: fetch the priority for writing, append, let the inline view and the chain follow.</summary>
    private static async Task RawMoveAsync(IDocumentStore store, Guid priority, Guid by, long i)
    {
        await using var session = BenchmarkDatabase.Session(store);
        var stream = await session.Events.FetchForWriting<Priority>(priority);
        stream.AppendOne(new ObjectionRaised(priority, Guid.CreateVersion7(), by, StakeholderGroup.Student, $"Not knowing is worse ({i})", DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
    }

    private static async Task PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        if ((int)response.StatusCode != 201)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task<Guid> CreateAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Closed-loop load: <paramref name="concurrency"/> workers, each sending its next command as soon as the last is answered.</summary>
    private static async Task<Run> DriveAsync(string subject, string workload, int concurrency, Func<long, Task> command, Process? process, Action<long>? memory)
    {
        long next = 0, errors = 0;
        var latencies = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        var measuring = WarmUp;
        var end = WarmUp + Measure;
        var sampler = Task.Run(async () =>
        {
            while (clock.Elapsed < end && process is not null)
            {
                process.Refresh();
                memory?.Invoke(process.WorkingSet64);
                await Task.Delay(200);
            }
        });
        // CPU over the measured window: the service's process for HTTP, this process for raw Marten (no HTTP in it then).
        using var self = process is null ? Process.GetCurrentProcess() : null;
        var measured = process ?? self!;
        var cpu = Task.Run(async () =>
        {
            static TimeSpan Until(TimeSpan at, Stopwatch clock) => at > clock.Elapsed ? at - clock.Elapsed : TimeSpan.Zero;
            await Task.Delay(Until(measuring, clock));
            measured.Refresh();
            var before = measured.TotalProcessorTime;
            await Task.Delay(Until(end, clock));
            measured.Refresh();
            return measured.TotalProcessorTime - before;
        });
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = [];
            while (clock.Elapsed < end)
            {
                var started = clock.Elapsed;
                try
                {
                    await command(Interlocked.Increment(ref next));
                    if (started >= measuring)
                    {
                        mine.Add((clock.Elapsed - started).TotalMilliseconds);
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or HttpRequestException or NpgsqlException or JasperFx.ConcurrencyException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        await sampler;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        var run = new Run(subject, workload, concurrency, all.Length / Measure.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.95), Percentile(all, 0.99), errors)
        {
            ProcessCpuMs = (await cpu).TotalMilliseconds / Math.Max(1, all.Length),
        };
        Console.WriteLine($"{subject}, {workload}, c={concurrency}: {run.PerSecond:N0}/s, p50 {run.P50:N1} ms, p95 {run.P95:N1} ms, p99 {run.P99:N1} ms, {errors} errors, {run.ProcessCpuMs:N3} ms of {(process is null ? "this process's" : "the service's")} CPU per command");
        return run;
    }

    private static double Percentile(double[] sorted, double p) => BenchmarkDatabase.Percentile(sorted, p);
}
