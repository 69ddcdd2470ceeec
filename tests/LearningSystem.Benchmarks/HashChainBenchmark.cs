using System.Globalization;
using LearningSystem.Feedback;
using LearningSystem.Negotiating;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using LearningSystem.Priorities;
using Marten;

namespace LearningSystem.Benchmarks;

/// <summary>
/// The cost of the hash chain on appends: the same store configuration in two schemas, one with its link
/// trigger dropped, measured in the same run, for new streams and for moves on existing ones.
/// </summary>
public static class HashChainBenchmark
{
    private const int Priorities = 500;

    public static async Task RunAsync(int appendsPerRound, string output)
    {
        await using var postgres = await BenchmarkDatabase.StartAsync();
        using var chained = await BenchmarkDatabase.StoreAsync(postgres.ConnectionString, "bench_chained", sealing: false);
        using var unchained = await BenchmarkDatabase.StoreWithoutChainAsync(postgres.ConnectionString, "bench_unchained");

        var priorities = Enumerable.Range(0, Priorities).Select(_ => Guid.CreateVersion7()).ToArray();
        foreach (var store in new[] { chained, unchained })
        {
            await using var session = Session(store);
            foreach (var id in priorities)
            {
                session.Events.StartStream<Priority>(id, new PrioritySet(id, "Shorter waits", "Hours of waiting", Guid.NewGuid(), StakeholderGroup.Patient, [], [], null, DateTimeOffset.UtcNow));
            }

            await session.SaveChangesAsync();
        }

        var variants = new (string Name, Func<int, Task> Append)[]
        {
            ("new stream, without the chain", i => StartAsync(unchained, i)),
            ("new stream, with the chain", i => StartAsync(chained, i)),
            ("move on an existing priority, without the chain", i => MoveAsync(unchained, priorities, i)),
            ("move on an existing priority, with the chain", i => MoveAsync(chained, priorities, i)),
        };
        var results = await AlternatingRounds.RunAsync(variants, appendsPerRound, warmUp: 1_000);

        var report = Report(appendsPerRound, results);
        Console.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(output, "hash-chain.md"), report);
    }

    private static IDocumentSession Session(IDocumentStore store)
    {
        var session = BenchmarkDatabase.Session(store);
        session.CorrelationId = Guid.NewGuid().ToString();
        session.CausationId = Guid.NewGuid().ToString();
        return session;
    }

    private static async Task StartAsync(IDocumentStore store, int i)
    {
        await using var session = Session(store);
        var id = Guid.CreateVersion7();
        session.Events.StartStream<PatientFeedback>(id, new PatientFeedbackRecorded(
            id, $"feedback:{id}", "Outpatient Diabetes Clinic", "kiosk", DateTimeOffset.UtcNow, FeedbackRating.Poor,
            $"Waited two hours ({i})", null, [ConsentScope.ServiceImprovement], DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
    }

    private static async Task MoveAsync(IDocumentStore store, Guid[] priorities, int i)
    {
        await using var session = Session(store);
        var id = priorities[i % priorities.Length];
        session.Events.Append(id, new ObjectionRaised(id, Guid.CreateVersion7(), Guid.NewGuid(), StakeholderGroup.Nurse, "Not knowing is worse than waiting", DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
    }

    private static string Report(int appendsPerRound, AlternatingRounds.Results results)
    {
        var text = BenchmarkDatabase.Heading("the cost of the hash chain on appends", "hash-chain");

        text.AppendLine(CultureInfo.InvariantCulture, $"Two schemas with the service's whole store configuration, connections included (returned to the pool without Npgsql's reset, see `docs/design.md`); in one the link trigger is dropped. Each round appends {appendsPerRound} events, one transaction each, from {AlternatingRounds.Workers} concurrent writers: either a new `PatientFeedbackRecorded` stream (its inline view included), or an `ObjectionRaised` on one of {Priorities} existing priorities (the trigger then looks up the previous link). After a warm-up, {AlternatingRounds.Rounds} rounds of each variant alternate in rotating order; each chained round is compared with the unchained round of the same workload beside it.");
        text.AppendLine();
        AlternatingRounds.Table(text, results, name => name.Replace("with the chain", "without the chain", StringComparison.Ordinal), "the same without the chain");
        text.AppendLine();
        text.AppendLine("Target: the chain costs appends less than 10%.");
        return text.ToString();
    }
}
