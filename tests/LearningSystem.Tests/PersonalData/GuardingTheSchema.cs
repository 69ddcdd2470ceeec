using LearningSystem.Composition;
using System.Reflection;
using Alba;
using LearningSystem.Feedback;
using LearningSystem.Participants;
using LearningSystem.PersonalData;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace LearningSystem.Tests.PersonalData;

[Collection(ServiceGroup.Name)]
public sealed class GuardingTheSchema(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;
    private IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    [Fact]
    public void Every_text_field_of_every_stored_type_is_declared_personal_or_not()
    {
        var types = Store.Options.Events.AllKnownEventTypes().Select(e => e.EventType)
            .Concat(Store.Options.AllKnownDocumentTypes().Select(d => d.DocumentType))
            .Where(t => t.Namespace?.StartsWith("LearningSystem", StringComparison.Ordinal) == true)
            .Distinct()
            .ToArray();
        Assert.Contains(typeof(ParticipantRegistered), types);
        Assert.Contains(typeof(PatientFeedback), types);

        var unclassified = types
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.PropertyType == typeof(string))
                .Where(p => !PersonalFields.Schema.IsClassified(t, p.Name))
                .Select(p => $"{t.Name}.{p.Name}"))
            .ToArray();

        Assert.True(unclassified.Length == 0, $"Declare these in PersonalFields as personal or not: {string.Join(", ", unclassified)}");
    }

    [Fact]
    public async Task Appending_a_personal_field_in_clear_is_refused_and_nothing_is_stored()
    {
        var id = Guid.NewGuid();
        await using var session = Store.LightweightSession("local");
        session.Events.StartStream<Participant>(id,
            new ParticipantRegistered(id, "Clear Text Name", StakeholderGroup.Patient, null, [ConsentScope.ServiceImprovement], TestClock.Start));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => session.SaveChangesAsync());

        Assert.Contains("DisplayName", refused.Message, StringComparison.Ordinal);
        await using var query = Store.QuerySession("local");
        Assert.Empty(await query.Events.FetchStreamAsync(id));
    }

    [Fact]
    public async Task Rotating_the_master_key_rewraps_every_key_and_touches_no_event()
    {
        var name = $"Rotated-{Guid.NewGuid():N}";
        var jenny = await Host.CreateAsync("/api/participants", new { displayName = name, stakeholderGroup = "nurse" });
        await Host.CreateAsync("/api/participants", new { displayName = "Elsewhere", stakeholderGroup = "carer" }, organisation: "other-trust");
        var eventsBefore = await EventsAsTextAsync();
        var newKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var both = new Dictionary<string, byte[]> { [ServiceFixture.MasterKeyId] = service.MasterKey, ["test-2"] = newKey };

        try
        {
            var rotated = await new MasterKeyRotation(new MasterKeyRing(both, "test-2")).RotateAsync(Store);

            Assert.True(rotated >= 2);
            Assert.Equal(0L, await TestDatabase.ScalarAsync(service.ConnectionString, "select count(*) from learningsystem.mt_doc_subjectkey where data->>'masterKeyId' <> 'test-2'"));
            Assert.Equal(eventsBefore, await EventsAsTextAsync());

            // Only the new master key is needed now.
            var onlyNew = new PersonalDataVault(new MasterKeyRing(new Dictionary<string, byte[]> { ["test-2"] = newKey }, "test-2"), new SubjectKeyCache(TimeProvider.System), PersonalFields.Schema, TimeProvider.System);
            await using var session = Store.QuerySession("local");
            var participant = await session.LoadAsync<Participant>(jenny);
            Assert.Equal(name, (await onlyNew.OpenAsync(session, participant!)).DisplayName);
        }
        finally
        {
            // The rest of the collection runs with the original master key.
            await new MasterKeyRotation(new MasterKeyRing(both, ServiceFixture.MasterKeyId)).RotateAsync(Store);
        }
    }

    private Task<object?> EventsAsTextAsync() => TestDatabase.ScalarAsync(service.ConnectionString, "select string_agg(data::text, '|' order by seq_id) from learningsystem.mt_events");
}
