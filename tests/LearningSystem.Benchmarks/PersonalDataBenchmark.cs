using LearningSystem.Composition;
using System.Globalization;
using System.Security.Cryptography;
using LearningSystem.Feedback;
using LearningSystem.PersonalData;
using Marten;

namespace LearningSystem.Benchmarks;

/// <summary>
/// The cost of sealing personal data when recording patient feedback: the same appends through the same
/// store configuration, once in clear (the guard removed) and once sealed, alternating rounds in one run;
/// and in the same run the hash chain's cost, clear text against a schema whose link trigger is dropped.
/// </summary>
public static class PersonalDataBenchmark
{
    private const int Patients = 500;
    private const string WithoutChain = "clear text without the hash chain (its link trigger dropped)";

    public static async Task RunAsync(int appendsPerRound, string output)
    {
        await using var postgres = await BenchmarkDatabase.StartAsync();

        using var clear = await BenchmarkDatabase.StoreAsync(postgres.ConnectionString, "bench_clear", sealing: false);
        // A schema per variant, so that each variant's tables grow by its own appends alone.
        using var sealedForPatients = await BenchmarkDatabase.StoreAsync(postgres.ConnectionString, "bench_sealed_patient", sealing: true);
        using var sealedAnonymously = await BenchmarkDatabase.StoreAsync(postgres.ConnectionString, "bench_sealed_anonymous", sealing: true);
        using var unchained = await BenchmarkDatabase.StoreWithoutChainAsync(postgres.ConnectionString, "bench_unchained");

        var masterKeys = new MasterKeyRing(new Dictionary<string, byte[]> { ["bench"] = RandomNumberGenerator.GetBytes(32) }, "bench");
        var vault = new PersonalDataVault(masterKeys, new SubjectKeyCache(TimeProvider.System), PersonalFields.Schema, TimeProvider.System);
        var peppers = new Peppers(masterKeys, TimeProvider.System);

        var variants = new (string Name, Func<int, Task> Append)[]
        {
            ("clear text (no sealing)", i => AppendClearAsync(clear, i)),
            ("sealed, patient reference (one of 500 patients)", i => AppendSealedAsync(sealedForPatients, vault, peppers, i, withPatient: true)),
            ("sealed, anonymous (a new key each)", i => AppendSealedAsync(sealedAnonymously, vault, peppers, i, withPatient: false)),
            (WithoutChain, i => AppendClearAsync(unchained, i)),
        };

        // Warm-up rounds also fill the key caches before anything is timed.
        var results = await AlternatingRounds.RunAsync(variants, appendsPerRound, warmUp: Patients * 4);

        var report = Report(appendsPerRound, results);
        Console.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(output, "personal-data.md"), report);
        await TargetsSummary.RecordAsync(Path.Combine(output, "..", ".."), "personal-data", Targets(appendsPerRound, results.Rates));
    }

    /// <summary>Each sealed variant's cost and the chain's, as the fall in appends/s against its baseline (median of per-round ratios).</summary>
    private static string Targets(int appendsPerRound, Dictionary<string, List<double>> rates)
    {
        var clear = rates.First().Key;
        double Cost(string name, string baseline) => 1 - AlternatingRounds.Ratio(rates, name, baseline);
        var rows = rates.Keys.Where(n => n.StartsWith("sealed", StringComparison.Ordinal))
            .Select(n => (Cost: Cost(n, clear), Target: $"{n}: costs recording feedback < 10%"))
            .Append((Cost: Cost(clear, WithoutChain), Target: "the hash chain costs an append < 10%, in the same run"))
            .Select(r => (r.Target, r.Cost.ToString("P1", CultureInfo.InvariantCulture), r.Cost < 0.1));
        var command = "dotnet run -c Release --project tests/LearningSystem.Benchmarks -- personal-data" + (appendsPerRound == 2_000 ? "" : $" {appendsPerRound}");
        return TargetsSummary.Block("personal-data", command, rows);
    }

    private static PatientFeedbackRecorded Feedback(Guid id, string subject, int i) => new(
        id, subject, "Outpatient Diabetes Clinic", "ward-survey-kiosk", DateTimeOffset.UtcNow.AddDays(-1), FeedbackRating.Poor,
        "I waited two hours past my appointment and nobody told me why. A text message would have helped a lot.",
        $"kiosk-{i % Patients:D4}", [ConsentScope.ServiceImprovement], DateTimeOffset.UtcNow);

    private static async Task AppendClearAsync(DocumentStore store, int i)
    {
        await using var session = BenchmarkDatabase.Session(store);
        var id = Guid.CreateVersion7();
        session.Events.StartStream<PatientFeedback>(id, Feedback(id, $"feedback:{id}", i));
        await session.SaveChangesAsync();
    }

    private static async Task AppendSealedAsync(DocumentStore store, PersonalDataVault vault, Peppers peppers, int i, bool withPatient)
    {
        await using var session = BenchmarkDatabase.Session(store);
        var id = Guid.CreateVersion7();
        var recorded = withPatient
            ? await vault.SealAsync(session, Feedback(id, await peppers.PatientSubjectAsync(session, $"kiosk-{i % Patients:D4}"), i))
            : await vault.SealForNewSubjectAsync(session, Feedback(id, DataSubjects.AnonymousFeedback(id), i) with { PatientRef = null });
        session.Events.StartStream<PatientFeedback>(id, recorded);
        await session.SaveChangesAsync();
    }

    private static string Report(int appendsPerRound, AlternatingRounds.Results results)
    {
        var text = BenchmarkDatabase.Heading("the cost of sealing personal data when recording feedback", "personal-data");
        text.AppendLine(CultureInfo.InvariantCulture, $"Each round appends {appendsPerRound} `PatientFeedbackRecorded` events (a stream, its inline view and, when sealed, any new key row, one transaction each) from {AlternatingRounds.Workers} concurrent writers, each variant in a schema of its own. After a warm-up, {AlternatingRounds.Rounds} rounds of each variant alternate, in rotating order. Each round of a sealed variant is compared with the clear-text round beside it.");
        text.AppendLine();
        var rates = results.Rates;
        var clear = rates.First().Key;
        AlternatingRounds.Table(text, results, _ => clear, "clear text");
        text.AppendLine();
        var chain = AlternatingRounds.Ratio(rates, clear, WithoutChain);
        text.AppendLine(CultureInfo.InvariantCulture, $"The hash chain, in the same run: clear text with it against clear text without it, {(chain - 1) * 100:+0.0;-0.0}% (median of per-round ratios).");
        text.AppendLine();
        text.AppendLine("Targets (issue 19): sealed recording is less than 10% slower than clear text, and the chain costs an append less than 10%, in the same run.");
        return text.ToString();
    }
}
