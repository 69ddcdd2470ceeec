using LearningSystem.Composition;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using JasperFx;
using LearningSystem.LocalPostgres;
using LearningSystem.Negotiating;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using LearningSystem.Priorities;
using Marten;
using Npgsql;
using LearningSystem.Attribution;

namespace LearningSystem.Benchmarks;

/// <summary>
/// How long moving an organisation into a database of its own takes, and how long its commands wait, as its
/// history grows: the published service's <c>move-organisation</c>, run as an operator runs it, over
/// organisations of growing size in one shared database (which holds every one of them meanwhile).
/// </summary>
public static partial class ServiceBenchmark
{
    private const int MovesPerPriority = 9;

    public static async Task MoveAsync(string root, IReadOnlyList<int> sizes)
    {
        var dll = await PublishAsync(root);
        await using var postgres = await BenchmarkDatabase.StartAsync();
        var store = DocumentStore.For(options =>
        {
            Modules.ConfigureStore(options, postgres.ConnectionString, databasePerOrganisation: true);
            options.AutoCreateSchemaObjects = AutoCreate.All;
            // Seeded without sealing: the move copies sealed and clear fields alike.
            foreach (var guard in options.Listeners.OfType<SealedFieldsGuard>().ToArray())
            {
                options.Listeners.Remove(guard);
            }
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var rows = new List<string>();
        foreach (var size in sizes)
        {
            var organisation = $"moving-{size}";
            var seeded = Stopwatch.StartNew();
            await SeedAsync(store, organisation, size);
            Console.WriteLine($"{organisation}: {size:N0} events seeded in {seeded.Elapsed.TotalSeconds:N1} s");
            var target = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = $"bench_moved_{size}" }.ConnectionString;
            await LocalPostgresServer.EnsureDatabaseAsync(target);
            var (exitCode, output) = await MoveWithServiceAsync(dll, postgres.ConnectionString, organisation, target);
            var moved = Regex.Match(output, @"Moved \S+ to \S+: (\d+) events, (\d+) rows in ([\d.]+) s; its commands waited ([\d.]+) s, and appends to the shared database ([\d.]+) s\.");
            if (exitCode != 0 || !moved.Success)
            {
                throw new InvalidOperationException($"move-organisation failed:\n{output}");
            }

            double Seconds(int group) => double.Parse(moved.Groups[group].Value, CultureInfo.InvariantCulture);
            var (events, copied) = (long.Parse(moved.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(moved.Groups[2].Value, CultureInfo.InvariantCulture));
            Console.WriteLine(moved.Value);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {events:N0} | {copied:N0} | {Seconds(3):N2} s | {Seconds(4):N2} s | {events / Math.Max(Seconds(4), 0.001):N0} | {Seconds(5):N2} s |"));
        }

        var report = BenchmarkDatabase.Heading("moving an organisation into a database of its own", $"move {string.Join(' ', sizes)}");
        report.AppendLine("Each organisation is seeded in the shared database (priorities with nine objections each, through the");
        report.AppendLine("service's store, the hash chain included), then moved by the published service's `move-organisation`");
        report.AppendLine("into a new database on the same server, as docs/deploying.md shows. The organisations seeded before it");
        report.AppendLine("stay in the shared database, so each move reads from a shared database that holds all of them.");
        report.AppendLine("\"Commands waited\" is the time its appends are refused with 503: from the guard to the master table's");
        report.AppendLine("new row (the copy, its verification against the checkpoints, and the commit). \"Whole move\" adds the");
        report.AppendLine("target's schema, the verification of the chain before the move, and deleting the rows left behind.");
        report.AppendLine("\"Shared appends waited\" is that deletion: it lifts the event table's append-only guard, which locks the");
        report.AppendLine("table, so every organisation's appends to the shared database wait for it.");
        report.AppendLine();
        report.AppendLine("| events | rows copied | whole move | commands waited | events per second of waiting | shared appends waited |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var row in rows)
        {
            report.AppendLine(row);
        }

        Console.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(root, "docs", "benchmarks", "move.md"), report.ToString());
        await store.DisposeAsync();
    }

    private static async Task SeedAsync(DocumentStore store, string organisation, int events)
    {
        var priorities = events / (MovesPerPriority + 1);
        const int perSession = 200;
        for (var done = 0; done < priorities; done += perSession)
        {
            await using var session = store.LightweightSession(organisation);
            session.SetHeader(WhoActed.ClientKey, "benchmark");
            foreach (var _ in Enumerable.Range(0, Math.Min(perSession, priorities - done)))
            {
                var id = Guid.CreateVersion7();
                var by = Guid.NewGuid();
                session.Events.StartStream<Priority>(id, new PrioritySet(id, "Shorter waits", "Hours of waiting", by, StakeholderGroup.Patient, [], [], null, DateTimeOffset.UtcNow));
                for (var move = 0; move < MovesPerPriority; move++)
                {
                    session.Events.Append(id, new ObjectionRaised(id, Guid.CreateVersion7(), Guid.NewGuid(), StakeholderGroup.Nurse, "Not knowing is worse than waiting", DateTimeOffset.UtcNow));
                }
            }

            await session.SaveChangesAsync();
        }
    }

    private static async Task<(int ExitCode, string Output)> MoveWithServiceAsync(string dll, string shared, string organisation, string target)
    {
        var start = new ProcessStartInfo("dotnet", [dll, "move-organisation", organisation, target])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__LearningSystem"] = shared;
        start.Environment["Database__Tenancy"] = "DatabasePerOrganisation";
        start.Environment["PersonalData__MasterKeys__benchmark"] = MasterKey;
        start.Environment["PersonalData__ActiveMasterKey"] = "benchmark";
        start.Environment["Audit__CheckpointMinutes"] = "0";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("The service did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = new StringBuilder(await output).Append(await errors).ToString();
        return (process.ExitCode, text);
    }
}
