using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LearningSystem.Feedback;
using LearningSystem.Hosting;
using LearningSystem.LocalPostgres;
using LearningSystem.PersonalData;
using Marten;
using JasperFx;

namespace LearningSystem.Benchmarks;

/// <summary>
/// The cost of sealing personal data when recording patient feedback: the same appends through the same
/// store configuration, once in clear (the guard removed) and once sealed, alternating rounds in one run.
/// </summary>
public static class PersonalDataBenchmark
{
    private const int Patients = 500;

    public static async Task RunAsync(int appendsPerRound, string output)
    {
        await using var postgres = await LocalPostgresServer.StartAsync(new LocalPostgresOptions
        {
            Folder = LocalPostgresOptions.NewThrowawayFolder("bench"),
            Database = "bench",
            Throwaway = true,
        });

        using var clear = await StoreAsync(postgres.ConnectionString, "bench_clear", sealing: false);
        using var sealedStore = await StoreAsync(postgres.ConnectionString, "bench_sealed", sealing: true);
        var vault = new PersonalDataVault(
            new MasterKeyRing(new Dictionary<string, byte[]> { ["bench"] = RandomNumberGenerator.GetBytes(32) }, "bench"),
            TimeProvider.System);

        var variants = new (string Name, Func<int, Task> Append)[]
        {
            ("clear text (no sealing)", i => AppendClearAsync(clear, i)),
            ("sealed, patient reference (one of 500 patients)", i => AppendSealedAsync(sealedStore, vault, i, withPatient: true)),
            ("sealed, anonymous (a new key each)", i => AppendSealedAsync(sealedStore, vault, i, withPatient: false)),
        };

        // Warm-up rounds also fill the key caches before anything is timed.
        var rates = await AlternatingRounds.RunAsync(variants, appendsPerRound, warmUp: Patients * 4);

        var report = Report(appendsPerRound, rates);
        Console.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(output, "personal-data.md"), report);
    }

    private static PatientFeedbackRecorded Feedback(Guid id, string subject, int i) => new(
        id, subject, "Outpatient Diabetes Clinic", "ward-survey-kiosk", DateTimeOffset.UtcNow.AddDays(-1), FeedbackRating.Poor,
        "I waited two hours past my appointment and nobody told me why. A text message would have helped a lot.",
        $"kiosk-{i % Patients:D4}", [ConsentScope.ServiceImprovement], DateTimeOffset.UtcNow);

    private static async Task AppendClearAsync(DocumentStore store, int i)
    {
        await using var session = store.LightweightSession("local");
        session.SetHeader(Provenance.ClientKey, "benchmark");
        var id = Guid.CreateVersion7();
        session.Events.StartStream<PatientFeedback>(id, Feedback(id, $"feedback:{id}", i));
        await session.SaveChangesAsync();
    }

    private static async Task AppendSealedAsync(DocumentStore store, PersonalDataVault vault, int i, bool withPatient)
    {
        await using var session = store.LightweightSession("local");
        session.SetHeader(Provenance.ClientKey, "benchmark");
        var id = Guid.CreateVersion7();
        var recorded = withPatient
            ? await vault.SealAsync(session, Feedback(id, await vault.PatientSubjectAsync(session, $"kiosk-{i % Patients:D4}"), i))
            : await vault.SealForNewSubjectAsync(session, Feedback(id, DataSubjects.AnonymousFeedback(id), i) with { PatientRef = null });
        session.Events.StartStream<PatientFeedback>(id, recorded);
        await session.SaveChangesAsync();
    }

    private static async Task<DocumentStore> StoreAsync(string connectionString, string schema, bool sealing)
    {
        var store = DocumentStore.For(options =>
        {
            EventStore.Configure(options, connectionString);
            options.DatabaseSchemaName = schema;
            options.AutoCreateSchemaObjects = AutoCreate.All;
            if (!sealing)
            {
                // The baseline appends the same event in clear, which the guard exists to refuse.
                foreach (var guard in options.Listeners.OfType<SealedFieldsGuard>().ToArray())
                {
                    options.Listeners.Remove(guard);
                }
            }
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return store;
    }

    private static string Report(int appendsPerRound, Dictionary<string, List<double>> rates)
    {
        var text = new StringBuilder();
        text.AppendLine("# Benchmark: the cost of sealing personal data when recording feedback");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run on {DateTime.UtcNow:yyyy-MM-dd} with {Environment.ProcessorCount} cores, .NET {Environment.Version}, a local PostgreSQL started by the benchmark.");
        text.AppendLine();
        text.AppendLine("```bash");
        text.AppendLine("dotnet run -c Release --project tests/LearningSystem.Benchmarks -- personal-data");
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Each round appends {appendsPerRound} `PatientFeedbackRecorded` events (a stream, its inline view and, when sealed, any new key row, one transaction each) from {AlternatingRounds.Workers} concurrent writers. After a warm-up, {AlternatingRounds.Rounds} rounds of each variant alternate, in rotating order. Each round of a sealed variant is compared with the clear-text round beside it.");
        text.AppendLine();
        var clear = rates.First().Key;
        AlternatingRounds.Table(text, rates, _ => clear, "clear text");
        text.AppendLine();
        text.AppendLine("Target: sealed recording is less than 10% slower than clear text.");
        return text.ToString();
    }
}
