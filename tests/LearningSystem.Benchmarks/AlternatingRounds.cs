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

    public static async Task<Dictionary<string, List<double>>> RunAsync((string Name, Func<int, Task> Append)[] variants, int appendsPerRound, int warmUp)
    {
        foreach (var (_, append) in variants)
        {
            await RoundAsync(append, warmUp);
        }

        var rates = variants.ToDictionary(v => v.Name, _ => new List<double>());
        for (var round = 0; round < Rounds; round++)
        {
            for (var k = 0; k < variants.Length; k++)
            {
                var (name, append) = variants[(round + k) % variants.Length];
                rates[name].Add(await RoundAsync(append, appendsPerRound));
            }
        }

        return rates;
    }

    public static double Median(IEnumerable<double> xs) => xs.Order().ElementAt(xs.Count() / 2);

    /// <summary>One table row per variant: its median rate, its spread, and the median of its per-round ratios to <paramref name="baseline"/>.</summary>
    public static void Table(StringBuilder text, Dictionary<string, List<double>> rates, Func<string, string> baseline, string against)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"| variant | appends/s (median round) | slowest round | fastest round | vs {against} (median of per-round ratios) |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (name, values) in rates)
        {
            var ratio = Median(values.Zip(rates[baseline(name)], (v, b) => v / b));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Median(values):F0} | {values.Min():F0} | {values.Max():F0} | {(ratio - 1) * 100:+0.0;-0.0}% |");
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
