extern alias benchmarks;

using benchmarks::LearningSystem.Benchmarks;

namespace LearningSystem.Tests.Benchmarks;

/// <summary>
/// The benchmark commands in docs/testing.md keep working. Each benchmark that brings its own PostgreSQL runs here at a
/// tiny size, into a folder of its own, and must write its report and its block of targets. Nothing is judged
/// by speed: sizes this small say nothing about it.
/// </summary>
public sealed class RunningTheBenchmarks : IDisposable
{
    // A benchmark that hangs (a probe waiting for a view that changed shape did once) fails instead of holding CI.
    private const int Minutes5 = 300_000;

    private readonly string _root;
    // Where a benchmark writes its report; the block of targets goes two folders up, to docs/benchmarks.md.
    private readonly string _reports;

    public RunningTheBenchmarks()
    {
        _root = Directory.CreateTempSubdirectory("learningsystem-benchmarks-").FullName;
        _reports = Directory.CreateDirectory(Path.Combine(_root, "docs", "benchmarks")).FullName;
    }

    [Fact(Timeout = Minutes5)]
    public async Task Analysis_generates_a_store_rebuilds_it_twice_and_reports()
    {
        await AnalysisBenchmark.RunAsync(1, _reports);

        var report = await File.ReadAllTextAsync(Path.Combine(_reports, "analysis.md"));
        Assert.Contains("| NDJSON export", report, StringComparison.Ordinal);
        Assert.Contains("with every view out of date", report, StringComparison.Ordinal);
        Assert.Contains("- Priority: ", report, StringComparison.Ordinal);
        await AssertTargetsRecordedAsync("analysis");
    }

    [Fact(Timeout = Minutes5)]
    public async Task Personal_data_alternates_its_variants_and_reports_each()
    {
        await PersonalDataBenchmark.RunAsync(4, _reports);

        var report = await File.ReadAllTextAsync(Path.Combine(_reports, "personal-data.md"));
        Assert.Contains("| clear text (no sealing) |", report, StringComparison.Ordinal);
        Assert.Contains("| sealed, anonymous (a new key each) |", report, StringComparison.Ordinal);
        Assert.Contains("The hash chain, in the same run", report, StringComparison.Ordinal);
        await AssertTargetsRecordedAsync("personal-data");
    }

    [Fact(Timeout = Minutes5)]
    public async Task Hash_chain_compares_chained_and_unchained_appends_and_reports()
    {
        await HashChainBenchmark.RunAsync(4, _reports);

        Assert.True(File.Exists(Path.Combine(_reports, "hash-chain.md")));
        Assert.NotEmpty(await File.ReadAllTextAsync(Path.Combine(_reports, "hash-chain.md")));
    }

    private async Task AssertTargetsRecordedAsync(string benchmark)
    {
        var page = await File.ReadAllTextAsync(Path.Combine(_root, "docs", "benchmarks.md"));
        Assert.Contains($"<!-- targets: {benchmark} -->", page, StringComparison.Ordinal);
        Assert.Contains($"<!-- end of targets: {benchmark} -->", page, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
