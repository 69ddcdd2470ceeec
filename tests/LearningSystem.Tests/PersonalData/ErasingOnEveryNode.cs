using Alba;
using LearningSystem.Hosting;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace LearningSystem.Tests.PersonalData;

/// <summary>An erasure made on one node reads as erased on every other at once, whatever the other had cached.</summary>
[Collection(ServiceGroup.Name)]
public sealed class ErasingOnEveryNode(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    [Fact]
    public async Task A_patient_erased_on_another_node_reads_as_erased_here_at_once()
    {
        var patientRef = $"ref-{Guid.NewGuid():N}";
        var comment = $"Nobody said how long {Guid.NewGuid():N}";
        var feedback = await Host.CreateAsync("/api/patient-feedback", new
        {
            service = "Outpatient Diabetes Clinic", source = "ward-survey-kiosk", receivedAt = "2026-11-18T09:30:00Z",
            rating = "poor", comment, patientRef, consent = new[] { "serviceImprovement" },
        });
        // This node has opened the comment, so its key is in this node's cache.
        Assert.Equal(comment, (await Host.GetJsonAsync($"/api/patient-feedback/{feedback}")).GetProperty("comment").GetString());

        // Another node: its own store and its own vault, on the same database and master keys.
        using var otherStore = DocumentStore.For(o => EventStore.Configure(o, service.ConnectionString));
        var otherVault = new PersonalDataVault(service.Host.Services.GetRequiredService<MasterKeyRing>(), TimeProvider.System);
        await using (var session = otherStore.LightweightSession("local"))
        {
            session.SetHeader(Provenance.ClientKey, "another-node");
            var subject = await otherVault.PatientSubjectAsync(session, patientRef);
            Assert.NotNull(await otherVault.EraseAsync(session, subject, new Erasure(null, "Consent withdrawn by letter", LegalBasis.ConsentWithdrawn, DateTimeOffset.UtcNow)));
            await session.SaveChangesAsync();
        }

        Assert.Equal(PersonalDataVault.ErasedMarker, (await Host.GetJsonAsync($"/api/patient-feedback/{feedback}")).GetProperty("comment").GetString());
        Assert.DoesNotContain(comment, (await Host.GetTextAsync($"/api/patient-feedback?service={Uri.EscapeDataString("Outpatient Diabetes Clinic")}&limit=1000")).Text, StringComparison.Ordinal);
    }
}
