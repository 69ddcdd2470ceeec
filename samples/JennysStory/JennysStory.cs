using System.Net.Http.Json;
using System.Text.Json;

namespace JennysStory;

/// <summary>What the story leaves behind, for anyone who wants to look at the views.</summary>
public sealed record StoryOutcome(
    Guid Redesign, Guid Round, Guid AgreedPriority, Guid MergedPriority, IReadOnlyDictionary<string, Guid> People, IReadOnlyList<Guid> Priorities,
    Guid FirstFeedback, Guid NewFeedback, IReadOnlyList<Guid> Lessons);

/// <summary>
/// Jenny, a medical student, wants patients to help redesign the diabetes outpatient clinic. Patients' feedback
/// arrives from the clinic's survey kiosk; she proposes a redesign that cites it; a James Lind Alliance round
/// with patients, carers, nurses, clinicians and students sets priorities, negotiates them (an objection, an
/// amendment, a merge and a decision), ranks them, and publishes the agreed list. The redesign is then
/// approved, implemented and measured, patients notice, and everyone records what they learned.
/// </summary>
public static class Story
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<StoryOutcome> PlayAsync(HttpClient client, TextWriter narration, CancellationToken ct = default)
    {
        async Task<Guid> Person(string name, string group, string? role = null)
        {
            var id = await CreateAsync(client, "/api/participants", new { displayName = name, stakeholderGroup = group, organisationRole = role }, ct);
            narration.WriteLine($"{name} ({group}) registered.");
            return id;
        }

        var jenny = await Person("Jenny", "student", "Year 3 medical student");
        var okafor = await Person("Mr Okafor", "patient");
        var patel = await Person("Mrs Patel", "carer");
        var ada = await Person("Sister Ada", "nurse", "Clinic sister");
        var reyes = await Person("Dr Reyes", "clinician", "Consultant diabetologist");
        var brown = await Person("Ms Brown", "manager", "Outpatients manager");

        var waited = await Feedback("kiosk-7f3a", "poor", "I waited two hours and nobody told me why. A text message would have helped.");
        var rushed = await Feedback("kiosk-91c2", "neitherGoodNorPoor", "The doctor was kind but rushed; my appointment felt too short.");

        var redesign = await CreateAsync(client, "/api/service-redesigns", new
        {
            title = "Tell waiting patients about delays",
            problem = "Patients wait without knowing why or for how long.",
            proposedChange = "Tell patients on arrival, and by text, when the clinic runs more than 30 minutes late; co-design the messages with patients.",
            service = "Outpatient Diabetes Clinic",
            proposedBy = jenny,
            evidence = new[] { waited, rushed },
        }, ct);
        narration.WriteLine("Jenny proposed a service redesign citing both pieces of feedback.");

        var round = await CreateAsync(client, "/api/rounds", new
        {
            question = "What should the diabetes outpatient clinic change first?",
            scope = "Waiting, communication and appointment length in the diabetes outpatient clinic.",
            requiredGroups = new[] { "patient", "carer", "nurse", "clinician", "student" },
            invitedGroups = new[] { "manager" },
            by = brown,
        }, ct);
        narration.WriteLine("Ms Brown opened a priority-setting round.");

        async Task<Guid> Priority(Guid by, string statement, string rationale, object? links = null)
        {
            var body = new Dictionary<string, object?> { ["statement"] = statement, ["rationale"] = rationale, ["setBy"] = by, ["roundId"] = round };
            if (links is not null)
            {
                body["redesigns"] = new[] { redesign };
                body["feedback"] = new[] { waited };
            }

            return await CreateAsync(client, "/api/priorities", body, ct);
        }

        var tellPatients = await Priority(jenny, "Tell patients how long they will wait", "Not knowing is the worst part of waiting.", links: true);
        var textPatients = await Priority(okafor, "Text patients when the clinic runs late", "I could wait in the café instead.");
        var appointmentLength = await Priority(reyes, "Review appointment lengths for complex patients", "Complex patients need more than ten minutes.");
        var triage = await Priority(ada, "Nurse-led triage in the waiting room", "Nurses can spot who needs seeing first.");
        narration.WriteLine("Jenny, Mr Okafor, Dr Reyes and Sister Ada set four priorities in the round.");

        await MoveAsync(client, tellPatients, "endorsements", new { by = patel, comment = "As a carer I spend hours not knowing either." }, ct);
        var objection = await MoveAsync(client, tellPatients, "objections", new { by = ada, reason = "Telling is not enough if nobody is responsible for telling." }, ct);
        var amendment = await MoveAsync(client, tellPatients, "amendments", new
        {
            by = okafor, wording = "Tell patients, on arrival and by text, how long they will wait", reason = "Covers my text-message idea and Sister Ada's point about who tells.", expectedVersion = 3,
        }, ct);
        await MoveAsync(client, tellPatients, $"amendments/{amendment.Id}/acceptance", new { by = jenny, reason = "Better than my wording.", expectedVersion = 4 }, ct);
        await MoveAsync(client, textPatients, "merge", new { by = okafor, into = tellPatients, reason = "The amended priority now includes texting.", expectedVersion = 1 }, ct);
        var decided = await MoveAsync(client, tellPatients, "decision", new
        {
            by = brown,
            outcome = "agreed",
            rationale = "Patients, carers, nurses, clinicians and students agreed; the reception team will own the messages.",
            decisionMakers = new[] { jenny, okafor, patel, ada, reyes },
            answersObjections = new[] { objection.Id },
            answersAmendments = new[] { amendment.Id },
            expectedVersion = 6,
        }, ct);
        narration.WriteLine($"The amended priority was agreed (version {decided.Version}); Mr Okafor's texting priority was merged into it.");

        await RankAsync(okafor, tellPatients, triage, appointmentLength);
        await RankAsync(patel, tellPatients, appointmentLength);
        await RankAsync(ada, triage, tellPatients);
        await RankAsync(reyes, appointmentLength, tellPatients, triage);
        await RankAsync(jenny, tellPatients, appointmentLength, triage);
        narration.WriteLine("Every group ranked the priorities.");

        await PostAsync(client, $"/api/rounds/{round}/shortlist", new { by = brown, size = 3 }, ct);
        await PostAsync(client, $"/api/rounds/{round}/workshop-rankings", new { by = brown, session = 1, smallGroup = "table 1", ranking = new[] { tellPatients, triage, appointmentLength } }, ct);
        await PostAsync(client, $"/api/rounds/{round}/workshop-rankings", new { by = brown, session = 1, smallGroup = "table 2", ranking = new[] { appointmentLength, tellPatients, triage } }, ct);
        await PostAsync(client, $"/api/rounds/{round}/workshop-rankings", new { by = brown, session = 2, smallGroup = "plenary", ranking = new[] { tellPatients, appointmentLength, triage } }, ct);
        await PostAsync(client, $"/api/rounds/{round}/publication", new { by = brown }, ct);

        var results = await client.GetFromJsonAsync<JsonElement>($"/api/rounds/{round}/results", ct);
        narration.WriteLine("The workshop agreed and published the list:");
        foreach (var item in results.GetProperty("published").EnumerateArray())
        {
            narration.WriteLine($"  {item.GetProperty("position").GetInt32()}. {item.GetProperty("statement").GetString()}");
        }

        var balance = await client.GetFromJsonAsync<JsonElement>($"/api/rounds/{round}/balance", ct);
        narration.WriteLine(JsonSerializer.Serialize(balance, Indented));

        // Closing the loop: the redesign is approved on the agreed priority, implemented, measured and evaluated.
        await PostAsync(client, $"/api/patient-feedback/{waited}/responses", new
        {
            by = ada, action = "planningChange", redesignId = redesign, text = "Thank you. Patients and staff have agreed to tell you about delays; we are planning it now.",
        }, ct);
        await PostAsync(client, $"/api/service-redesigns/{redesign}/decision", new
        {
            by = brown, outcome = "approved", rationale = "It serves the round's top agreed priority.", basedOnPriorities = new[] { tellPatients },
            decisionMakers = new[] { brown, ada, okafor, jenny },
        }, ct);
        await PostAsync(client, $"/api/service-redesigns/{redesign}/implementations", new
        {
            by = ada, whatChanged = "Reception tells arriving patients the expected wait, and texts them when the clinic runs 30 minutes late.",
            implementedOn = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero),
        }, ct);
        await PostAsync(client, $"/api/service-redesigns/{redesign}/outcomes", new
        {
            by = reyes, measure = "Median wait without news", baseline = 95, value = 35, unit = "minutes",
            periodStart = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero), periodEnd = new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero),
            source = "Clinic appointment system",
        }, ct);
        var newFeedback = await Feedback("kiosk-7f3a", "good", "This time I got a text saying the clinic was running late, so I had a coffee.");
        await PostAsync(client, $"/api/service-redesigns/{redesign}/evaluations", new { by = brown, summary = "Waits without news fell from 95 to 35 minutes, and patients noticed." }, ct);
        var clinicLesson = await CreateAsync(client, "/api/lessons", new
        {
            by = ada, about = redesign, service = "Outpatient Diabetes Clinic",
            text = "Patients mind not knowing more than waiting; telling them costs little.", evidence = new[] { waited, newFeedback },
        }, ct);
        var studentLesson = await CreateAsync(client, "/api/lessons", new
        {
            by = jenny, about = tellPatients, service = "Outpatient Diabetes Clinic",
            text = "Co-creation worked because patients reworded the priority, not because we asked them to agree with ours.",
        }, ct);
        narration.WriteLine("The change was made and measured, patients noticed, and the clinic team and the students recorded what they learned.");

        return new StoryOutcome(
            redesign, round, tellPatients, textPatients,
            new Dictionary<string, Guid> { ["jenny"] = jenny, ["okafor"] = okafor, ["patel"] = patel, ["ada"] = ada, ["reyes"] = reyes, ["brown"] = brown },
            [tellPatients, textPatients, appointmentLength, triage],
            waited, newFeedback, [clinicLesson, studentLesson]);

        Task<Guid> Feedback(string patientRef, string rating, string comment) =>
            CreateAsync(client, "/api/patient-feedback", new
            {
                service = "Outpatient Diabetes Clinic",
                source = "clinic-survey-kiosk",
                receivedAt = new DateTimeOffset(2026, 11, 18, 9, 30, 0, TimeSpan.Zero),
                rating,
                comment,
                patientRef,
                consent = new[] { "serviceImprovement", "research" },
            }, ct);

        Task RankAsync(Guid by, params Guid[] ranking) => PostAsync(client, $"/api/rounds/{round}/interim-rankings", new { by, ranking }, ct);
    }

    private sealed record Accepted(long Version, Guid? Id);

    private static async Task<Accepted> MoveAsync(HttpClient client, Guid priority, string move, object body, CancellationToken ct)
    {
        var response = await PostAsync(client, $"/api/priorities/{priority}/{move}", body, ct);
        return (await response.Content.ReadFromJsonAsync<Accepted>(ct))!;
    }

    private static async Task<Guid> CreateAsync(HttpClient client, string path, object body, CancellationToken ct)
    {
        using var response = await PostAsync(client, path, body, ct);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, object body, CancellationToken ct)
    {
        var response = await client.PostAsJsonAsync(path, body, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }

        return response;
    }
}
