using System.Diagnostics;
using System.Globalization;
using LearningSystem.Negotiating;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using Marten;
using LearningSystem.Analysis.Exporting;
using LearningSystem.Views;

namespace LearningSystem.Benchmarks;

/// <summary>
/// What analysts wait for, on a generated store of at least a million events from many rounds: the NDJSON export
/// (with the process's memory sampled throughout), rebuilding every view, and time travel on a priority with a
/// thousand events.
/// </summary>
public static class AnalysisBenchmark
{
    private const string Schema = "bench_analysis";
    private const int PrioritiesPerRound = 10;
    private const int MovesPerPriority = 40;
    private const int Rankers = 20;
    private const int Generators = 4;
    private static readonly StakeholderGroup[] Groups = [StakeholderGroup.Patient, StakeholderGroup.Carer, StakeholderGroup.Nurse, StakeholderGroup.Clinician, StakeholderGroup.Student];

    public static async Task RunAsync(int events, string output)
    {
        await using var postgres = await BenchmarkDatabase.StartAsync();
        using var store = await BenchmarkDatabase.StoreAsync(postgres.ConnectionString, Schema, sealing: false);

        var generation = Stopwatch.StartNew();
        var rounds = 0;
        var generated = 0L;
        await Task.WhenAll(Enumerable.Range(0, Generators).Select(async worker =>
        {
            var random = new Random(worker);
            while (Interlocked.Read(ref generated) < events)
            {
                Interlocked.Add(ref generated, await RoundAsync(store, random));
                if (Interlocked.Increment(ref rounds) % 200 == 0)
                {
                    Console.WriteLine($"Generated {Interlocked.Read(ref generated):N0} events in {rounds:N0} rounds, {generated / generation.Elapsed.TotalSeconds:N0} events/s");
                }
            }
        }));
        var longOne = await LongPriorityAsync(store, 1_000);
        generated += 1_000;
        var generatedIn = generation.Elapsed;

        // Measure a store at rest: what autovacuum would reach in its own time, done now, so that it does not run during the measurements.
        await using (var vacuum = new Npgsql.NpgsqlConnection(postgres.ConnectionString))
        {
            await vacuum.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("vacuum analyze", vacuum) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        }

        // Export, with memory sampled every 50 ms.
        var baseline = Environment.WorkingSet;
        var peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Environment.WorkingSet);
                await Task.Delay(50);
            }
        });
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        var export = Stopwatch.StartNew();
        var counting = new CountingStream();
        var exported = await ExportEventsEndpoint.WriteAsync(
            connection, store.Options, "local", ExportFilter.Everything, counting, static (_, _, _) => Task.FromResult(ExportEventsEndpoint.Withheld), CancellationToken.None);
        var exportedIn = export.Elapsed;
        await sampling.CancelAsync();
        await sampler;

        // Time travel: the long priority folded to versions 1000 and 500, fifty times each, after a warm-up.
        var latencies = new List<double>();
        await using (var session = store.QuerySession("local"))
        {
            await session.Events.AggregateStreamAsync<Priority>(longOne, 1_000);
            foreach (var version in Enumerable.Repeat(new long[] { 1_000, 500 }, 50).SelectMany(v => v))
            {
                var watch = Stopwatch.StartNew();
                _ = await session.Events.AggregateStreamAsync<Priority>(longOne, version) ?? throw new InvalidOperationException("The long priority is missing.");
                latencies.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        var progress = new Progress<RebuildProgress>(p => Console.WriteLine($"Rebuilding {p.Projection}: {p.EventsDone:N0} of {p.Events:N0} streams"));
        var rebuild = await new ViewRebuilder(store).RebuildAsync(null, progress, CancellationToken.None);

        // Again with every view out of date, as after a change to what a view holds: each row is then written, not only compared.
        await using (var stale = new Npgsql.NpgsqlConnection(postgres.ConnectionString))
        {
            await stale.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                $$"""
                update {{Schema}}.mt_doc_priority set data = data || '{"stale": true}';
                update {{Schema}}.mt_doc_round set data = data || '{"stale": true}';
                delete from {{Schema}}.mt_doc_endorsement;
                delete from {{Schema}}.mt_doc_interimballot;
                delete from {{Schema}}.mt_doc_objection;
                """, stale) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
            await using var vacuum = new Npgsql.NpgsqlCommand("vacuum analyze", stale) { CommandTimeout = 0 };
            await vacuum.ExecuteNonQueryAsync();
        }

        var rewrite = await new ViewRebuilder(store).RebuildAsync(null, progress, CancellationToken.None);

        var text = BenchmarkDatabase.Heading("what analysts wait for, on a million events", $"analysis {events}");
        text.AppendLine(CultureInfo.InvariantCulture, $"The generator (`tests/LearningSystem.Benchmarks/AnalysisBenchmark.cs`) wrote {generated:N0} events in {rounds:N0} rounds ({generatedIn.TotalSeconds:N0} s, {generated / generatedIn.TotalSeconds:N0} events/s through the service's store, hash chain and inline views included), from {Generators} writers. Each round: an opening, {PrioritiesPerRound} priorities submitted to it, {MovesPerPriority} moves on each (endorsements, objections, amendments proposed and accepted), and {Rankers} interim rankings; plus one priority with 1,000 events. The store is then vacuumed and analysed, as autovacuum would in time, before anything is measured.");
        text.AppendLine();
        text.AppendLine("| measure | result | target |");
        text.AppendLine("| --- | ---: | ---: |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| NDJSON export (`ExportEventsEndpoint.WriteAsync`, every event, to a counting stream) | {exported / exportedIn.TotalSeconds:N0} events/s ({exported:N0} events, {counting.Length / 1_048_576.0:N0} MiB in {exportedIn.TotalSeconds:N1} s) | ≥ 50,000 events/s |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| process memory during the export (working set, sampled every 50 ms) | {baseline / 1_048_576.0:N0} MiB before, {peak / 1_048_576.0:N0} MiB at most | flat |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| rebuilding every view ({rebuild.Projections.Count} projections, folded again in place while live), the views up to date: each row compared, none written | {rebuild.Events / rebuild.Seconds:N0} events/s of the store ({rebuild.Seconds:N1} s in all) | ≥ 50,000 events/s |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| the same with every view out of date (priorities and rounds changed, endorsements, objections and ballots deleted): every row written | {rewrite.Events / rewrite.Seconds:N0} events/s of the store ({rewrite.Seconds:N1} s in all) | ≥ 50,000 events/s |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| time travel on a priority with 1,000 events (fold to version 1,000 or 500), p50 / p95 | {Percentile(latencies, 0.5):N1} ms / {Percentile(latencies, 0.95):N1} ms | < 50 ms |");
        text.AppendLine();
        text.AppendLine("Rebuild, per projection (views up to date / out of date):");
        text.AppendLine();
        foreach (var (projection, again) in rebuild.Projections.Zip(rewrite.Projections))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {projection.Projection}: {projection.Seconds:N1} s / {again.Seconds:N1} s");
        }

        var report = text.ToString();
        Console.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(output, "analysis.md"), report);
        var (upToDate, outOfDate) = (rebuild.Events / rebuild.Seconds, rewrite.Events / rewrite.Seconds);
        await TargetsSummary.RecordAsync(Path.Combine(output, "..", ".."), "analysis", TargetsSummary.Block("analysis",
            $"dotnet run -c Release --project tests/LearningSystem.Benchmarks -- analysis {events}",
            [
                ($"rebuilding every view of {generated:N0} events, the views up to date ≥ 50,000 events/s", upToDate.ToString("N0", CultureInfo.InvariantCulture), upToDate >= 50_000),
                ("the same with every view out of date ≥ 50,000 events/s", outOfDate.ToString("N0", CultureInfo.InvariantCulture), outOfDate >= 50_000),
            ]));
    }

    private static double Percentile(List<double> values, double p) => BenchmarkDatabase.Percentile([.. values.Order()], p);

    private static async Task<int> RoundAsync(IDocumentStore store, Random random)
    {
        await using var session = BenchmarkDatabase.Session(store);
        var now = DateTimeOffset.UtcNow;
        var roundId = Guid.CreateVersion7();
        var people = Enumerable.Range(0, 30).Select(i => (Id: Guid.CreateVersion7(), Group: Groups[i % Groups.Length])).ToArray();
        var opener = people[0];
        var roundEvents = new List<object> { new RoundOpened(roundId, "What should the clinic change first?", "Waiting and communication", Groups, Groups, opener.Id, opener.Group, now) };
        var priorities = new List<Guid>();
        var count = 0;
        for (var p = 0; p < PrioritiesPerRound; p++)
        {
            var id = Guid.CreateVersion7();
            var setter = people[random.Next(people.Length)];
            var moves = new List<object> { new PrioritySet(id, $"Priority {p}: tell patients how long they will wait", "Not knowing is worse", setter.Id, setter.Group, [], [], null, now, roundId) };
            for (var m = 0; moves.Count <= MovesPerPriority; m++)
            {
                var (by, group) = people[random.Next(people.Length)];
                switch (m % 4)
                {
                    case 0:
                        moves.Add(new ProposalEndorsed(id, by, group, "Yes", now));
                        break;
                    case 1:
                        moves.Add(new ObjectionRaised(id, Guid.CreateVersion7(), by, group, "Not the main problem", now));
                        break;
                    default:
                        var amendment = Guid.CreateVersion7();
                        var accepter = people[(Array.IndexOf(people, (by, group)) + 1) % people.Length];
                        moves.Add(new AmendmentProposed(id, amendment, by, group, $"Wording {m}", "Clearer", now));
                        moves.Add(new AmendmentAccepted(id, amendment, accepter.Id, accepter.Group, null, now));
                        m++;
                        break;
                }
            }

            session.Events.StartStream<Priority>(id, moves.ToArray());
            roundEvents.Add(new PrioritySubmitted(roundId, id, setter.Id, setter.Group, now));
            priorities.Add(id);
            count += moves.Count;
        }

        foreach (var (by, group) in people.Take(Rankers))
        {
            roundEvents.Add(new InterimRankingSubmitted(roundId, by, group, priorities.OrderBy(_ => random.Next()).Take(5).ToArray(), false, now));
        }

        session.Events.StartStream<Round>(roundId, roundEvents.ToArray());
        await session.SaveChangesAsync();
        return count + roundEvents.Count;
    }

    private static async Task<Guid> LongPriorityAsync(IDocumentStore store, int length)
    {
        var id = Guid.CreateVersion7();
        await using var session = BenchmarkDatabase.Session(store);
        var now = DateTimeOffset.UtcNow;
        session.Events.StartStream<Priority>(id, [
            new PrioritySet(id, "A long negotiation", "Many voices", Guid.NewGuid(), StakeholderGroup.Patient, [], [], null, now),
            .. Enumerable.Range(1, length - 1).Select(i => (object)new ObjectionRaised(id, Guid.CreateVersion7(), Guid.NewGuid(), Groups[i % Groups.Length], $"Objection {i}", now)),
        ]);
        await session.SaveChangesAsync();
        return id;
    }

    /// <summary>Counts what is written and keeps none of it.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
        public override void WriteByte(byte value) => _length++;
    }
}
