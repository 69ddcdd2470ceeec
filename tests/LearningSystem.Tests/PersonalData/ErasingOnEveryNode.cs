using LearningSystem.Composition;
using Alba;
using LearningSystem.Feedback;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using LearningSystem.Attribution;

namespace LearningSystem.Tests.PersonalData;

/// <summary>An erasure made on one node reads as erased on every other at once, whatever the other had cached.</summary>
[Collection(ServiceGroup.Name)]
public sealed class ErasingOnEveryNode(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    /// <summary>Records feedback naming the patient through the service, and answers its id.</summary>
    private Task<Guid> RecordAsync(string patientRef, string comment, string receivedAt = "2026-11-18T09:30:00Z", string rating = "poor", params string[] consent) =>
        Host.CreateAsync("/api/patient-feedback", new
        {
            service = "Outpatient Diabetes Clinic", source = "ward-survey-kiosk", receivedAt, rating, comment, patientRef,
            consent = consent.Length > 0 ? consent : ["serviceImprovement"],
        });

    [Fact]
    public async Task A_patient_erased_on_another_node_reads_as_erased_here_at_once()
    {
        var patientRef = $"ref-{Guid.NewGuid():N}";
        var comment = $"Nobody said how long {Guid.NewGuid():N}";
        var feedback = await RecordAsync(patientRef, comment);
        // This node has opened the comment, so its key is in this node's cache, and has sealed under it again,
        // so it knows the key as the patient's live one.
        Assert.Equal(comment, (await Host.GetJsonAsync($"/api/patient-feedback/{feedback}")).GetProperty("comment").GetString());
        await RecordAsync(patientRef, "Again", "2026-11-18T10:30:00Z", "good");

        using var other = new AnotherNode(service);
        Assert.NotNull(await other.EraseAsync(patientRef, "Consent withdrawn by letter"));

        Assert.Equal(SealedValue.ErasedMarker, (await Host.GetJsonAsync($"/api/patient-feedback/{feedback}")).GetProperty("comment").GetString());
        Assert.DoesNotContain(comment, (await Host.GetTextAsync($"/api/patient-feedback?service={Uri.EscapeDataString("Outpatient Diabetes Clinic")}&limit=1000")).Text, StringComparison.Ordinal);

        // This node still takes the erased key for the patient's live one. Its next sealing transaction finds the
        // key erased in its own batch, and the command runs again under a new key: the new comment reads, and
        // erasing the patient again erases it too.
        var later = $"Still waiting {Guid.NewGuid():N}";
        var second = await RecordAsync(patientRef, later, "2026-11-19T09:30:00Z");
        Assert.Equal(later, (await Host.GetJsonAsync($"/api/patient-feedback/{second}")).GetProperty("comment").GetString());
        Assert.NotNull(await other.EraseAsync(patientRef, "Asked again"));

        Assert.Equal(SealedValue.ErasedMarker, (await Host.GetJsonAsync($"/api/patient-feedback/{second}")).GetProperty("comment").GetString());
    }

    [Fact]
    public async Task A_known_key_erased_on_another_node_while_a_command_seals_under_it_is_caught_in_the_commands_own_transaction()
    {
        var patientRef = $"ref-{Guid.NewGuid():N}";
        await RecordAsync(patientRef, "First");
        var vault = Host.Services.GetRequiredService<PersonalDataVault>();
        using var other = new AnotherNode(service);

        // A sealing transaction of this node, held open while the other node erases the key it sealed under.
        await using var sealing = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession("local");
        sealing.SetHeader(WhoActed.ClientKey, "this-node");
        var subject = await Host.Services.GetRequiredService<Peppers>().PatientSubjectAsync(sealing, patientRef);
        var id = Guid.CreateVersion7();
        sealing.Events.StartStream<PatientFeedback>(id, await vault.SealAsync(sealing, new PatientFeedbackRecorded(id, subject, "Outpatient Diabetes Clinic", "kiosk",
            DateTimeOffset.UtcNow, FeedbackRating.Poor, "Sealed as the key goes", null, [ConsentScope.ServiceImprovement], DateTimeOffset.UtcNow)));
        Assert.NotNull(await other.EraseAsync(patientRef, "Consent withdrawn"));

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => sealing.SaveChangesAsync());
        Assert.True(KeyLiveness.IsStaleKey(refused), refused.ToString());
    }

    [Fact]
    public async Task A_comment_and_its_patient_reference_are_sealed_under_one_key_asserted_once()
    {
        var patientRef = $"ref-{Guid.NewGuid():N}";
        await RecordAsync(patientRef, "First");
        var vault = Host.Services.GetRequiredService<PersonalDataVault>();

        await using var sealing = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession("local");
        var subject = await Host.Services.GetRequiredService<Peppers>().PatientSubjectAsync(sealing, patientRef);
        var sealedFeedback = await vault.SealAsync(sealing, new PatientFeedbackRecorded(Guid.CreateVersion7(), subject, "Outpatient Diabetes Clinic", "kiosk",
            DateTimeOffset.UtcNow, FeedbackRating.Poor, "Second", patientRef, [ConsentScope.ServiceImprovement], DateTimeOffset.UtcNow));

        static string KeyOf(string token) => token.Split(':')[1];
        Assert.Equal(KeyOf(sealedFeedback.Comment), KeyOf(sealedFeedback.PatientRef!));
        // The assertion rides in the event's own insert: no statement of its own.
        Assert.Equal([KeyOf(sealedFeedback.Comment)], ((string[])sealing.GetHeader(KeyLiveness.SealedUnderHeader)!).Select(k => Guid.Parse(k).ToString("N")));
        Assert.DoesNotContain(sealing.PendingChanges.Operations(), o => o.GetType().Name.Contains("Sql", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_erasure_waits_for_a_transaction_sealing_under_the_key_and_one_after_it_finds_the_key_gone()
    {
        var patientRef = $"ref-{Guid.NewGuid():N}";
        await RecordAsync(patientRef, "First");
        var vault = Host.Services.GetRequiredService<PersonalDataVault>();
        string subject;
        await using (var session = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession("local"))
        {
            subject = await Host.Services.GetRequiredService<Peppers>().PatientSubjectAsync(session, patientRef);
        }

        await using var sealing = new Npgsql.NpgsqlConnection(service.ConnectionString);
        await sealing.OpenAsync();
        await using var erasing = new Npgsql.NpgsqlConnection(service.ConnectionString);
        await erasing.OpenAsync();
        async Task<object?> Run(Npgsql.NpgsqlConnection connection, string sql)
        {
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("subject", subject);
            return await command.ExecuteScalarAsync();
        }

        var key = (Guid)(await Run(sealing, "select id from learningsystem.mt_doc_subjectkey where tenant_id = 'local' and subject = @subject"))!;
        await Run(sealing, $"begin; select * from learningsystem.assert_live_key('local', '{key}')");
        const string erase = "update learningsystem.mt_doc_subjectkey set data = data || '{\"wrappedKey\": null}' where tenant_id = 'local' and subject = @subject";
        await Run(erasing, "set lock_timeout = '300ms'");
        var waited = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Run(erasing, erase));
        Assert.Equal(Npgsql.PostgresErrorCodes.LockNotAvailable, waited.SqlState);

        await Run(sealing, "commit");
        await Run(erasing, erase);
        var late = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Run(sealing, $"select * from learningsystem.assert_live_key('local', '{key}')"));
        Assert.Equal(KeyLiveness.StaleKey, late.SqlState);
    }

    [Fact]
    public async Task A_research_export_on_this_node_reads_a_patient_erased_on_another_as_erased_at_once()
    {
        var patientRef = $"ref-{Guid.NewGuid():N}";
        var comment = $"Please study this {Guid.NewGuid():N}";
        await RecordAsync(patientRef, comment, consent: ["serviceImprovement", "research"]);
        const string export = "/api/export/events?types=patient_feedback_recorded&purpose=research";
        // This node's export has opened the comment, so its key is in this node's cache.
        Assert.Contains(comment, (await Host.GetTextAsync(export)).Text, StringComparison.Ordinal);

        using var other = new AnotherNode(service);
        Assert.NotNull(await other.EraseAsync(patientRef, "Consent withdrawn by letter"));

        Assert.DoesNotContain(comment, (await Host.GetTextAsync(export)).Text, StringComparison.Ordinal);
    }

    /// <summary>Another node: its own store, pepper cache and key cache, on the same database and master keys.</summary>
    private sealed class AnotherNode(ServiceFixture service) : IDisposable
    {
        private readonly DocumentStore _store = DocumentStore.For(o => Modules.ConfigureStore(o, service.ConnectionString));
        private readonly Peppers _peppers = new(service.Host.Services.GetRequiredService<MasterKeyRing>(), TimeProvider.System);
        private readonly SubjectErasure _erasing = new(new SubjectKeyCache(TimeProvider.System));

        public async Task<(Erasure Erasure, bool Erased)?> EraseAsync(string patientRef, string reason)
        {
            await using var session = _store.LightweightSession("local");
            session.SetHeader(WhoActed.ClientKey, "another-node");
            var subject = await _peppers.PatientSubjectAsync(session, patientRef);
            var erased = await _erasing.EraseAsync(session, subject, new Erasure(null, reason, LegalBasis.ConsentWithdrawn, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
            return erased;
        }

        public void Dispose() => _store.Dispose();
    }
}
