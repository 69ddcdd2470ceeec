using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LearningSystem.Benchmarks;

/// <summary>
/// Where the service's CPU goes per move (`-- service-cpu`): the published build run as deployed, objections at
/// concurrency 32, in several configurations (as the suite runs it, with the shipped logging, with workstation
/// GC), each measured from /proc; then a perf profile of the suite's configuration, every sample's stack named by
/// the layer it was in. Writes docs/benchmarks/service-cpu.md.
/// </summary>
public static partial class ServiceBenchmark
{
    private const int CpuPriorities = 500;

    private sealed record Configuration(string Name, TimeSpan WarmUp, IReadOnlyDictionary<string, string?> Environment);

    /// <summary>Long enough for tiered compilation to have settled: every hot method rejitted at tier 1, with its profile.</summary>
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(60);

    /// <summary>The layers a stack can be in, most specific first; a sample belongs to the first, walking from its leaf.</summary>
    private static readonly (string Layer, Regex Frame)[] Layers =
    [
        ("GC", new(@"gc_heap|WKS::|SVR::|GCHeap|GCToEEInterface|\[gc\]", RegexOptions.Compiled)),
        ("the JIT", new(@"libclrjit", RegexOptions.Compiled)),
        ("logging and telemetry", new(@"Microsoft\.Extensions\.Logging|OpenTelemetry|System\.Diagnostics\.(Activity|Metrics|DiagnosticListener)|LearningSystem\.Http\.RequestLog|LearningSystem\.Operations", RegexOptions.Compiled)),
        ("serialisation (System.Text.Json)", new(@"System\.Text\.Json", RegexOptions.Compiled)),
        ("Npgsql (the wire protocol)", new(@"Npgsql", RegexOptions.Compiled)),
        ("FluentValidation", new(@"FluentValidation|LearningSystem\.Http\.Validation", RegexOptions.Compiled)),
        ("the command-input walk", new(@"LearningSystem\.Http\.(CommandInput|InputGuard|TextInput|RequestBodyLimit)", RegexOptions.Compiled)),
        ("the idempotency middleware", new(@"LearningSystem\.Http\.Idempotency", RegexOptions.Compiled)),
        ("the organisation check", new(@"LearningSystem\.Organisations", RegexOptions.Compiled)),
        ("authentication, scopes and rate limit", new(@"LearningSystem\.Access|Microsoft\.AspNetCore\.(Authentication|Authorization)|RateLimit", RegexOptions.Compiled)),
        ("Marten (session, FetchForWriting, SaveChangesAsync)", new(@"Marten|Weasel|JasperFx", RegexOptions.Compiled)),
        ("Wolverine (handler chain, outbox)", new(@"Wolverine", RegexOptions.Compiled)),
        ("our endpoints, deciders and stamps", new(@"LearningSystem\.", RegexOptions.Compiled)),
        ("routing", new(@"Microsoft\.AspNetCore\.Routing", RegexOptions.Compiled)),
        ("Kestrel and the ASP.NET Core pipeline", new(@"Microsoft\.AspNetCore", RegexOptions.Compiled)),
    ];

    public static async Task ServiceCpuAsync(string root)
    {
        await using var postgres = await StartPostgresAsync();
        var dll = await PublishAsync(root);
        Configuration[] configurations =
        [
            new("as the suite runs it (Warning logging, server GC), 3 s after start", WarmUp, new Dictionary<string, string?>()),
            new("the same, 60 s after start", Settled, new Dictionary<string, string?>()),
            new("without tiered PGO (`DOTNET_TieredPGO=0`), 3 s after start", WarmUp, new Dictionary<string, string?> { ["DOTNET_TieredPGO"] = "0" }),
            new("with the shipped appsettings' logging (Information: a line per command), 60 s after start", Settled, new Dictionary<string, string?> { ["Logging__LogLevel__Default"] = null }),
            new("workstation GC, 60 s after start", Settled, new Dictionary<string, string?> { ["DOTNET_gcServer"] = "0" }),
            // Telemetry is collected only when there is an endpoint to send it to; one that answers nothing shows what collecting costs.
            new("with telemetry collected (`OTEL_EXPORTER_OTLP_ENDPOINT` set, to a port nothing listens on), 60 s after start", Settled,
                new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9" }),
        ];
        var rows = new List<string>();
        foreach (var configuration in configurations)
        {
            var (serviceMs, postgresMs, perSecond, _, _) = await MeasureMovesAsync(dll, postgres.ConnectionString, configuration.WarmUp, configuration.Environment, profile: null);
            rows.Add(string.Create(CultureInfo.InvariantCulture, $"| {configuration.Name} | {perSecond:N0} | {serviceMs:N2} | {postgresMs:N2} |"));
            Console.WriteLine(rows[^1]);
        }

        // The profile: ReadyToRun off, so that every method is jitted and named in the perf map, and jitted code mapped
        // once (not double-mapped for write-xor-execute), so that perf finds it in the map.
        var perfData = Path.Combine(Path.GetTempPath(), "learningsystem-service-cpu.perf");
        var (profiledMs, _, profiledRate, samples, _) = await MeasureMovesAsync(dll, postgres.ConnectionString, Settled,
            new Dictionary<string, string?> { ["DOTNET_PerfMapEnabled"] = "1", ["DOTNET_ReadyToRun"] = "0", ["DOTNET_EnableWriteXorExecute"] = "0" }, perfData);

        // Allocations, which perf cannot see (libcoreclr has no symbols here): the runtime's own counters, read over
        // EventPipe by dotnet-counters during a run of its own, so that neither perturbs the other's figures.
        var countersFile = Path.Combine(Path.GetTempPath(), "learningsystem-service-cpu-counters.csv");
        var (_, _, countedRate, _, allocated) = await MeasureMovesAsync(dll, postgres.ConnectionString, Settled, new Dictionary<string, string?>(), profile: null, countersFile);
        var layers = Classify(samples);

        var report = BenchmarkDatabase.Heading("where the service's CPU goes per move", "service-cpu");
        report.AppendLine("The service is published (Release, ReadyToRun) and run as `dotnet LearningSystem.dll` on its own durable local PostgreSQL, with");
        report.AppendLine(CultureInfo.InvariantCulture, $"{CpuPriorities} priorities. 32 clients object to them (one priority each at a time) for {Measure.TotalSeconds:N0} s after a warm-up under the same load; CPU time per");
        report.AppendLine("acknowledged move is read from /proc for the service's process and PostgreSQL's processes. Each configuration is a fresh start of the service.");
        report.AppendLine();
        report.AppendLine("| configuration | moves/s | service CPU ms per move | PostgreSQL CPU ms per move |");
        report.AppendLine("| --- | ---: | ---: | ---: |");
        rows.ForEach(r => report.AppendLine(r));
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Then the suite's configuration again, 60 s after start, with ReadyToRun off and the perf map on, under `perf record -g` for {Measure.TotalSeconds:N0} s: {profiledRate:N0} moves/s, {profiledMs:N2} ms of service CPU per move, {samples.Count:N0} samples of the service's threads.");
        report.AppendLine("Each sample belongs to the first layer met walking its stack from the leaf (self); a layer's inclusive share counts every sample with a frame of it anywhere in the stack.");
        report.AppendLine("The runtime's own frames (CoreLib, sockets, the thread pool) belong to the layer that called them; a stack with no named layer is \"unattributed\".");
        report.AppendLine("libcoreclr.so carries no symbols here, so the GC and the JIT cannot be told apart from the rest of the native runtime: a sample whose leaf is in it, under no named layer, is \"the native runtime\".");
        report.AppendLine();
        report.AppendLine("| layer | self share | self ms per move | inclusive share | inclusive ms per move |");
        report.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (layer, self, inclusive) in layers)
        {
            report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {layer} | {self:P1} | {self * profiledMs:N3} | {inclusive:P1} | {inclusive * profiledMs:N3} |"));
        }

        report.AppendLine();
        report.AppendLine(allocated is { } a
            ? string.Create(CultureInfo.InvariantCulture,
                $"Allocations, from the runtime's counters (`dotnet-counters collect`, System.Runtime, read every second) in one more start of the suite's configuration, 60 s after start: {countedRate:N0} moves/s, {a.BytesPerMove / 1024:N1} KiB allocated per move, {a.CollectionsPerThousand:N1} garbage collections per thousand moves (of every generation), {a.PauseMsPerMove * 1000:N1} µs of GC pause per move.")
            : "Allocations could not be read: dotnet-counters did not report them.");

        var file = Path.Combine(root, "docs", "benchmarks", "service-cpu.md");
        await File.WriteAllTextAsync(file, report.ToString());
        Console.WriteLine(report);
        Console.WriteLine($"Wrote {file}");
    }

    /// <summary>
    /// Settled service CPU per move for configurations given on the command line (`-- service-cpu-try` then, per
    /// configuration, comma-separated NAME=VALUE settings, or `-` for none), the suite's configuration first.
    /// For trying a setting before it goes into the service; writes nothing.
    /// </summary>
    public static async Task ServiceCpuTryAsync(string root, IReadOnlyList<string> configurations)
    {
        // Read before anything starts, so that a mistyped setting costs no publish.
        var settings = configurations.Prepend("-").Select(c => (Name: c, Environment: c == "-"
            ? new Dictionary<string, string?>()
            : c.Split(',').Select(s => s.Split('=', 2) is [var name, var value] && name.Length > 0
                ? (name, value)
                : throw new ArgumentException($"'{s}' is not a setting: give NAME=VALUE, several joined by commas, or - for none.")).ToDictionary(p => p.name, p => (string?)p.value))).ToArray();
        await using var postgres = await StartPostgresAsync();
        var dll = await PublishAsync(root);
        foreach (var (name, environment) in settings)
        {
            var (serviceMs, postgresMs, perSecond, _, _) = await MeasureMovesAsync(dll, postgres.ConnectionString, Settled, environment, profile: null);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {perSecond:N0} | {serviceMs:N3} | {postgresMs:N3} |"));
        }
    }

    /// <summary>One start of the service: objections at concurrency 32, and CPU per move; with <paramref name="profile"/>, under perf, answering each sample's frames (leaf first).</summary>
    private static async Task<(double ServiceMs, double PostgresMs, double PerSecond, List<string[]> Samples, Allocations? Allocated)> MeasureMovesAsync(
        string dll, string connectionString, TimeSpan warmUp, IReadOnlyDictionary<string, string?> environment, string? profile, string? counters = null)
    {
        var port = LearningSystem.LocalPostgres.LocalPostgresServer.FreePort();
        using var http = ServiceClient(port);
        var (service, started) = StartService(dll, connectionString, port, environment);
        try
        {
            await FirstCreatedAsync(http, started);
            var by = await CreateAsync(http, "/api/participants", new { displayName = "Jenny", stakeholderGroup = "student" });
            var priorities = new Guid[CpuPriorities];
            await ParallelAsync(priorities.Length, async i => priorities[i] = await CreateAsync(http, "/api/priorities", new { statement = $"Shorter waits {i}", rationale = "Hours of waiting", setBy = by }));
            long next = 0;
            Task Object() => PostAsync(http, $"/api/priorities/{priorities[Interlocked.Increment(ref next) % CpuPriorities]}/objections", new { by, reason = "Who will own this?" });

            async Task<long> DriveForAsync(TimeSpan span)
            {
                long moves = 0;
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
                {
                    while (clock.Elapsed < span)
                    {
                        await Object();
                        Interlocked.Increment(ref moves);
                    }
                })));
                return moves;
            }

            await DriveForAsync(warmUp);
            service.Refresh();
            var (serviceBefore, postgresBefore) = (service.TotalProcessorTime, PostgresCpu());
            Process? perf = null;
            if (profile is not null)
            {
                perf = Process.Start(new ProcessStartInfo("perf", ["record", "-F", "499", "-g", "-p", service.Id.ToString(CultureInfo.InvariantCulture), "-o", profile])
                {
                    RedirectStandardError = true, RedirectStandardOutput = true,
                });
            }

            var counting = counters is null ? null : await StartCountersAsync(counters, service.Id);
            var clock = Stopwatch.StartNew();
            var count = await DriveForAsync(Measure);
            var elapsed = clock.Elapsed;
            var allocated = counting is null ? null : await StopCountersAsync(counting, counters!, count);
            service.Refresh();
            var serviceMs = (service.TotalProcessorTime - serviceBefore).TotalMilliseconds / count;
            var postgresMs = (PostgresCpu() - postgresBefore).TotalMilliseconds / count;
            var samples = new List<string[]>();
            if (perf is not null)
            {
                // perf writes its file when interrupted, as at Ctrl+C.
                Process.Start("kill", ["-INT", perf.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
                await perf.WaitForExitAsync();
                samples = await ReadSamplesAsync(profile!);
            }

            return (serviceMs, postgresMs, count / elapsed.TotalSeconds, samples, allocated);
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }
    }

    /// <summary>What the runtime's counters said the service allocated and collected, per move.</summary>
    private sealed record Allocations(double BytesPerMove, double CollectionsPerThousand, double PauseMsPerMove);

    /// <summary>dotnet-counters (a served .NET tool, installed into a folder of the benchmark's own) collecting the runtime's GC counters.</summary>
    private static async Task<Process> StartCountersAsync(string file, int processId)
    {
        var tools = Path.Combine(Path.GetTempPath(), "learningsystem-benchmark-tools");
        var tool = Path.Combine(tools, "dotnet-counters");
        if (!File.Exists(tool))
        {
            var (exitCode, output) = await RunToolAsync("dotnet", ["tool", "install", "dotnet-counters", "--version", "10.0.750501", "--tool-path", tools]);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"dotnet-counters could not be installed:\n{output}");
            }
        }

        File.Delete(file);
        // It writes the file when it ends, and ends by itself: a second after the measured run, whose rows it covers.
        var duration = TimeSpan.FromSeconds(Math.Ceiling(Measure.TotalSeconds) + 1);
        var counters = Process.Start(new ProcessStartInfo(tool,
            ["collect", "-p", processId.ToString(CultureInfo.InvariantCulture), "--format", "csv", "-o", file, "--refresh-interval", "1",
             "--duration", duration.ToString(@"dd\:hh\:mm\:ss", CultureInfo.InvariantCulture),
             "--counters", "System.Runtime[dotnet.gc.heap.total_allocated,dotnet.gc.collections,dotnet.gc.pause.time]"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        _ = counters.StandardOutput.ReadToEndAsync();
        _ = counters.StandardError.ReadToEndAsync();
        // The session opens in well under a second; the moves start after it.
        await Task.Delay(1_000);
        return counters;
    }

    /// <summary>Waits for the collection to end and sums each counter's increments (a row a second) over the run.</summary>
    private static async Task<Allocations?> StopCountersAsync(Process counters, string file, long moves)
    {
        // A row per second and counter: gc.collections has one per generation, each counted once here.
        try
        {
            await counters.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            // A collection that did not end by itself wrote nothing: the report says the allocations could not be read.
            counters.Kill();
            return null;
        }

        if (!File.Exists(file))
        {
            return null;
        }

        double Sum(string counter) => File.ReadAllLines(file)
            .Select(line => line.Split(','))
            .Where(f => f.Length >= 5 && f[2].StartsWith(counter, StringComparison.Ordinal))
            .Sum(f => double.TryParse(f[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0);
        var bytes = Sum("dotnet.gc.heap.total_allocated");
        return bytes <= 0 ? null : new Allocations(bytes / moves, Sum("dotnet.gc.collections") * 1000 / moves, Sum("dotnet.gc.pause.time") * 1000 / moves);
    }

    /// <summary>The frames of each sample `perf script` prints, leaf first: the symbol and, in brackets, its object.</summary>
    private static async Task<List<string[]>> ReadSamplesAsync(string profile)
    {
        var script = Process.Start(new ProcessStartInfo("perf", ["script", "-i", profile, "-F", "comm,ip,sym,dso"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        _ = script.StandardError.ReadToEndAsync();
        var samples = new List<string[]>();
        var frames = new List<string>();
        string? line;
        while ((line = await script.StandardOutput.ReadLineAsync()) is not null)
        {
            if (line.Length == 0)
            {
                if (frames.Count > 0)
                {
                    samples.Add([.. frames]);
                    frames.Clear();
                }

                continue;
            }

            if (char.IsWhiteSpace(line[0]))
            {
                frames.Add(line.Trim());
            }
        }

        if (frames.Count > 0)
        {
            samples.Add([.. frames]);
        }

        await script.WaitForExitAsync();
        return samples;
    }

    private static List<(string Layer, double Self, double Inclusive)> Classify(List<string[]> samples)
    {
        var self = new Dictionary<string, int>();
        var inclusive = new Dictionary<string, int>();
        foreach (var frames in samples)
        {
            var owner = frames.Select(f => Layers.FirstOrDefault(l => l.Frame.IsMatch(f)).Layer).FirstOrDefault(l => l is not null)
                ?? (frames.Length == 0 ? "unattributed"
                    : frames[0].Contains("kernel", StringComparison.Ordinal) ? "the kernel, unattributed"
                    : frames[0].Contains("libcoreclr", StringComparison.Ordinal) ? "the native runtime" : "unattributed");
            self[owner] = self.GetValueOrDefault(owner) + 1;
            foreach (var (layer, frame) in Layers)
            {
                if (frames.Any(frame.IsMatch))
                {
                    inclusive[layer] = inclusive.GetValueOrDefault(layer) + 1;
                }
            }
        }

        double total = Math.Max(samples.Count, 1);
        return [.. Layers.Select(l => l.Layer).Concat(["the kernel, unattributed", "the native runtime", "unattributed"])
            .Select(l => (l, self.GetValueOrDefault(l) / total, inclusive.GetValueOrDefault(l) / total))
            .OrderByDescending(x => x.Item2)];
    }
}
