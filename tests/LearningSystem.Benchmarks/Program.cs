using LearningSystem.Benchmarks;

// dotnet run -c Release --project tests/LearningSystem.Benchmarks [-- suite | service-cpu | service-cpu-try [NAME=VALUE,...|-] ... | postgres-experiments | cold-start | explorer | growth [moves] [respondents] [objections] | nodes | move [events ...] | fhir [entries] | personal-data [appends-per-round] | hash-chain [appends-per-round] | analysis [events]]
var which = args.FirstOrDefault() ?? "personal-data";
var output = Path.Combine(RepositoryRoot(), "docs", "benchmarks");
Directory.CreateDirectory(output);

switch (which)
{
    case "personal-data":
        await PersonalDataBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2_000, output);
        return 0;
    case "analysis":
        await AnalysisBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000, output);
        return 0;
    case "suite":
        await ServiceBenchmark.RunAsync(RepositoryRoot());
        return 0;
    case "growth":
        await ServiceBenchmark.GrowthAsync(RepositoryRoot(),
            args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000,
            args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5_000,
            args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 2_000);
        return 0;
    case "nodes":
        await ServiceBenchmark.NodesAsync(RepositoryRoot());
        return 0;
    case "explorer":
        await ServiceBenchmark.ExplorerAsync(RepositoryRoot());
        return 0;
    case "service-cpu":
        await ServiceBenchmark.ServiceCpuAsync(RepositoryRoot());
        return 0;
    case "service-cpu-try":
        await ServiceBenchmark.ServiceCpuTryAsync(RepositoryRoot(), args[1..]);
        return 0;
    case "cold-start":
        await ServiceBenchmark.ColdStartAsync(RepositoryRoot());
        return 0;
    case "move":
        await ServiceBenchmark.MoveAsync(RepositoryRoot(),
            args.Length > 1 ? args.Skip(1).Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToArray() : [1_000, 10_000, 100_000]);
        return 0;
    case "fhir":
        await ServiceBenchmark.FhirAsync(RepositoryRoot(), args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000);
        return 0;
    case "postgres-experiments":
        await ServiceBenchmark.PostgresExperimentsAsync(RepositoryRoot());
        return 0;
    case "hash-chain":
        await HashChainBenchmark.RunAsync(
            args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2_000, output);
        return 0;
    default:
        await Console.Error.WriteLineAsync($"Unknown benchmark '{which}'. Known: suite, service-cpu, service-cpu-try, postgres-experiments, cold-start, explorer, growth, nodes, move, fhir, personal-data, hash-chain, analysis.");
        return 1;
}

static string RepositoryRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LearningSystem.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? Directory.GetCurrentDirectory();
}
