using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace LearningSystem.Benchmarks;

/// <summary>View lag: how long after a 201 a read shows the change.</summary>
public static partial class ServiceBenchmark
{
    /// <summary>
    /// At half the peak rate of moves, how long after a 201 a read of the view shows the move. Every view is
    /// inline (updated in the command's transaction), so this is the time of the first read that sees it.
    /// </summary>
    private static async Task<double[]> LagAsync(HttpClient http, Guid[] priorities, Guid by, double rate)
    {
        using var stop = new CancellationTokenSource(Measure);
        var interval = TimeSpan.FromSeconds(8 / Math.Max(rate, 1));
        var load = Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var i = worker * 1_000_000L;
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await PostAsync(http, $"/api/priorities/{priorities[i++ % Priorities]}/objections", new { by, reason = "Background load" });
                }
                catch (InvalidOperationException)
                {
                }

                var left = interval - Stopwatch.GetElapsedTime(started);
                if (left > TimeSpan.Zero)
                {
                    await Task.Delay(left);
                }
            }
        })));
        var lags = new List<double>();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var priority = priorities[(i * 7) % Priorities];
            using var response = await http.PostAsJsonAsync($"/api/priorities/{priority}/objections", new { by, reason = $"Probe {i}" });
            if ((int)response.StatusCode != 201)
            {
                continue;
            }

            var created = await response.Content.ReadFromJsonAsync<JsonElement>();
            var (objection, version) = (created.GetProperty("id").GetGuid().ToString(), created.GetProperty("version").GetInt64());
            var answered = Stopwatch.GetTimestamp();
            // The objection's own document, the one the move wrote at its version.
            while (!(await http.GetStringAsync(new Uri($"/api/priorities/{priority}/objections?after={version - 1}&limit=1", UriKind.Relative))).Contains(objection, StringComparison.Ordinal))
            {
                await Task.Delay(5);
            }

            lags.Add(Stopwatch.GetElapsedTime(answered).TotalMilliseconds);
            await Task.Delay(50);
        }

        await load;
        return [.. lags.Order()];
    }
}
