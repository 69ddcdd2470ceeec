// Compiled at test time together with the client NSwag generates from the served OpenAPI document, not with
// the tests: it is Jenny's story written against that generated client, so a drift between the document and
// the code (a renamed operation, a missing field, a wrong type) fails to compile or fails to run.
using System;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;

namespace Generated;

public partial class LearningSystemApi
{
    static partial void UpdateJsonSerializerSettings(System.Text.Json.JsonSerializerOptions settings) =>
        settings.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
}

public static class GeneratedClientStory
{
    /// <summary>Plays the heart of Jenny's story and answers what a reader checks: outcome, moves and wordings.</summary>
    public static async Task<string> PlayAsync(HttpClient http, string organisation)
    {
        var api = new LearningSystemApi(http) { BaseUrl = http.BaseAddress!.ToString().TrimEnd('/') };
        string Key() => Guid.NewGuid().ToString();
        async Task<Guid> Person(string name, RegisterParticipantStakeholderGroup group) =>
            (await api.RegisterParticipantAsync(organisation, Key(), new RegisterParticipant { DisplayName = name, StakeholderGroup = group })).Id;

        var jenny = await Person("Jenny", RegisterParticipantStakeholderGroup.Student);
        var okafor = await Person("Mr Okafor", RegisterParticipantStakeholderGroup.Patient);
        var patel = await Person("Mrs Patel", RegisterParticipantStakeholderGroup.Carer);
        var ada = await Person("Sister Ada", RegisterParticipantStakeholderGroup.Nurse);
        var brown = await Person("Ms Brown", RegisterParticipantStakeholderGroup.Manager);

        var waited = (await api.RecordPatientFeedbackAsync(organisation, Key(), new RecordPatientFeedback
        {
            Service = "Outpatient Diabetes Clinic", Source = "ward-survey-kiosk", ReceivedAt = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero),
            Rating = RecordPatientFeedbackRating.Poor, Comment = "I waited two hours and nobody told me why.", PatientRef = "kiosk-7f3a",
            Consent = { Consent2.ServiceImprovement },
        })).Id;
        var redesign = (await api.ProposeServiceRedesignAsync(organisation, Key(), new ProposeServiceRedesign
        {
            Title = "Tell waiting patients about delays", Problem = "Patients wait without knowing why.",
            ProposedChange = "Tell patients on arrival, and by text, when the clinic runs late.", Service = "Outpatient Diabetes Clinic",
            ProposedBy = jenny, Evidence = new[] { waited },
        })).Id;

        var priority = await api.SetPriorityAsync(organisation, Key(), new SetPriority
        {
            Statement = "Tell patients how long they will wait", Rationale = "Not knowing is the worst part of waiting.", SetBy = jenny,
            Redesigns = new[] { redesign }, Feedback = new[] { waited },
        });
        const string priorities = "priorities";
        await api.EndorseAsync(priorities, priority.Id, organisation, Key(), new Endorse { By = patel, Comment = "As a carer I spend hours not knowing either." });
        var objection = await api.RaiseObjectionAsync(priorities, priority.Id, organisation, Key(), new RaiseObjection { By = ada, Reason = "Telling is not enough if nobody is responsible." });
        var amendment = await api.ProposeAmendmentAsync(priorities, priority.Id, organisation, Key(), new ProposeAmendment
        {
            By = okafor, Wording = "Tell patients, on arrival and by text, how long they will wait", Reason = "Covers texting.", ExpectedVersion = 3,
        });
        await api.AcceptAmendmentAsync(priorities, priority.Id, amendment.Id!.Value, organisation, Key(), new AcceptAmendment { By = jenny, Reason = "Better than my wording.", ExpectedVersion = 4 });
        var decided = await api.DecidePriorityAsync(priority.Id, organisation, Key(), new DecidePriority
        {
            By = brown, Outcome = DecidePriorityOutcome.Agreed, Rationale = "Everyone agreed; reception will own the messages.",
            DecisionMakers = { jenny, okafor, patel, ada }, ExpectedVersion = 5, AnswersObjections = new[] { objection.Id!.Value }, AnswersAmendments = new[] { amendment.Id.Value },
        });

        var read = await api.GetPriorityAsync(priority.Id, null, null, organisation);
        var provenance = await api.GetDecisionProvenanceAsync(read.Decision.Id, organisation);
        return $"{provenance.Outcome}|{string.Join(",", provenance.Acts.Select(a => a.Move))}|{provenance.Wordings.Count}|{decided.Version}|{provenance.ChainIntact}";
    }
}
