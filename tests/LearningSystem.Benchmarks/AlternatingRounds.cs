using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace LearningSystem.Benchmarks;

/// <summary>
/// Many short rounds of each variant, rotating which goes first, so that drift (a growing table, the JIT, the
/// machine's other work) falls on every variant alike; each variant is compared round by round with its baseline.
/// </summary>
public static class AlternatingRounds
{
    public const int Workers = 8;
    public const int Rounds = 30;

    /// <summary>CPU per append over a variant's timed rounds: this process's (the writers: Marten, sealing, Npgsql) and PostgreSQL's processes'.</summary>
    public sealed record Cpu(double ClientMs, double PostgresMs);

    /// <summary>Each variant's rate per round, in the order run, and its CPU per append over them all.</summary>
    public sealed record Results(Dictionary<string, List<double>> Rates, Dictionary<string, Cpu> CpuPerAppend);

    public static async Task<Results> RunAsync((string Name, Func<int, Task> Append)[] variants, int appendsPerRound, int warmUp)
    {
        foreach (var (_, append) in variants)
        {
            await RoundAsync(append, warmUp);
        }

        var rates = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var cpu = variants.ToDictionary(v => v.Name, _ => (Client: TimeSpan.Zero, Postgres: TimeSpan.Zero));
        for (var round = 0; round < Rounds; round++)
        {
            for (var k = 0; k < variants.Length; k++)
            {
                var (name, append) = variants[(round + k) % variants.Length];
                var (client, postgres) = (Process.GetCurrentProcess().TotalProcessorTime, ServiceBenchmark.PostgresCpu());
                rates[name].Add(await RoundAsync(append, appendsPerRound));
                cpu[name] = (cpu[name].Client + Process.GetCurrentProcess().TotalProcessorTime - client, cpu[name].Postgres + ServiceBenchmark.PostgresCpu() - postgres);
            }
        }

        var appends = (double)Rounds * appendsPerRound;
        return new Results(rates, cpu.ToDictionary(c => c.Key, c => new Cpu(c.Value.Client.TotalMilliseconds / appends, c.Value.Postgres.TotalMilliseconds / appends)));
    }

    public static double Median(IEnumerable<double> xs) => xs.Order().ElementAt(xs.Count() / 2);

    /// <summary>How <paramref name="variant"/> compares with <paramref name="baseline"/>: the median of their per-round rate ratios.</summary>
    public static double Ratio(Dictionary<string, List<double>> rates, string variant, string baseline) =>
        Median(rates[variant].Zip(rates[baseline], (v, b) => v / b));

    /// <summary>One table row per variant: its median rate, its spread, and the median of its per-round ratios to <paramref name="baseline"/>.</summary>
    public static void Table(StringBuilder text, Results results, Func<string, string> baseline, string against)
    {
        var rates = results.Rates;
        text.AppendLine(CultureInfo.InvariantCulture, $"| variant | appends/s (median round) | slowest round | fastest round | vs {against} (median of per-round ratios) | CPU per append: writers' process, PostgreSQL |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, values) in rates)
        {
            var ratio = Ratio(rates, name, baseline(name));
            var cpu = results.CpuPerAppend[name];
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Median(values):F0} | {values.Min():F0} | {values.Max():F0} | {(ratio - 1) * 100:+0.0;-0.0}% | {cpu.ClientMs:F3} ms, {cpu.PostgresMs:F3} ms |");
        }
    }

    private static async Task<double> RoundAsync(Func<int, Task> append, int count)
    {
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await append(i);
            }
        }));
        return count / watch.Elapsed.TotalSeconds;
    }
}
