using System.Net.Http.Json;
using System.Text.Json;

namespace JennysStory;

/// <summary>What the story leaves behind, for anyone who wants to look at the views.</summary>
public sealed record StoryOutcome(
    Guid Redesign, Guid Round, Guid AgreedPriority, Guid MergedPriority, IReadOnlyDictionary<string, Guid> People, IReadOnlyList<Guid> Priorities,
    Guid FirstFeedback, Guid NewFeedback, IReadOnlyList<Guid> Lessons, Guid CurriculumChange, Guid TeachingSession, IReadOnlyList<Guid> Reflections);

/// <summary>
/// Jenny, a medical student, wants patients to help redesign the diabetes outpatient clinic. Patients' feedback
/// arrives from the clinic's survey kiosk; she proposes a redesign that cites it; a James Lind Alliance round
/// with patients, carers, nurses, clinicians and students sets priorities, negotiates them (an objection, an
/// amendment, a merge and a decision), ranks them, and publishes the agreed list. The redesign is refined by an
/// objection and an amendment, approved, implemented and measured; patients notice, and everyone records what
/// they learned. Then the medical school changes its communication module: patient educators co-design it with
/// a peer student and a nurse, co-teach it, and everyone reflects on what they learned and what they taught.
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
        var lim = await Person("Dr Lim", "educator", "Clinical communication module lead");
        var tom = await Person("Tom", "student", "Year 4 medical student, peer tutor");

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

        // Closing the loop: the redesign is refined the way priorities are negotiated, approved on the agreed
        // priority, implemented, measured and evaluated.
        await PostAsync(client, $"/api/patient-feedback/{waited}/responses", new
        {
            by = ada, action = "planningChange", redesignId = redesign, text = "Thank you. Patients and staff have agreed to tell you about delays; we are planning it now.",
        }, ct);
        var privacy = await MoveOnAsync(client, "service-redesigns", redesign, "objections", new { by = reyes, reason = "A text must never say why someone is waiting or who they are waiting for." }, ct);
        var reworded = await MoveOnAsync(client, "service-redesigns", redesign, "amendments", new
        {
            by = okafor, expectedVersion = 2,
            wording = "Tell patients on arrival, and by text, when the clinic runs more than 30 minutes late; co-design the messages with patients, and say only how long, never why.",
            reason = "Keeps the texts and answers Dr Reyes's point about privacy.",
        }, ct);
        await MoveOnAsync(client, "service-redesigns", redesign, $"amendments/{reworded.Id}/acceptance", new { by = jenny, expectedVersion = 3 }, ct);
        await MoveOnAsync(client, "service-redesigns", redesign, "decision", new
        {
            by = brown, outcome = "approved", rationale = "It serves the round's top agreed priority, and the amended wording protects privacy.",
            basedOnPriorities = new[] { tellPatients }, decisionMakers = new[] { brown, ada, okafor, jenny, reyes },
            answersObjections = new[] { privacy.Id }, answersAmendments = new[] { reworded.Id }, expectedVersion = 4,
        }, ct);
        narration.WriteLine("Dr Reyes objected to the redesign, Mr Okafor reworded it, and Ms Brown approved it on the agreed priority.");
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

        // The same loop in the classroom: patient educators co-design and co-teach the communication module.
        var module = await CreateAsync(client, "/api/curriculum-changes", new
        {
            course = "MBBS Year 3", module = "Clinical Communication",
            learningOutcome = "Explain a delay to a waiting patient.",
            proposedChange = "Patient educators co-teach a session on waiting and uncertainty, built on the clinic's consented feedback.",
            proposedBy = jenny,
            coDesigners = new object[]
            {
                new { participant = okafor, role = "patientEducator" }, new { participant = patel, role = "patientEducator" },
                new { participant = tom, role = "peerStudent" }, new { participant = ada, role = "otherProfession" }, new { participant = lim, role = "educator" },
            },
            evidence = new[] { waited, newFeedback },
        }, ct);
        var outcomeWording = await MoveOnAsync(client, "curriculum-changes", module, "amendments", new
        {
            by = okafor, expectedVersion = 1, wording = "Explain a delay to a waiting patient honestly: say how long, and ask what they need while they wait.",
            reason = "Patients want to know how long, and whether they can step out.",
        }, ct);
        await MoveOnAsync(client, "curriculum-changes", module, $"amendments/{outcomeWording.Id}/acceptance", new { by = lim, expectedVersion = 2 }, ct);
        await MoveOnAsync(client, "curriculum-changes", module, "endorsements", new { by = ada, comment = "Nurses give this news most often; we will co-teach it." }, ct);
        await MoveOnAsync(client, "curriculum-changes", module, "decision", new
        {
            by = lim, outcome = "approved", rationale = "Students need to practise the telling that the clinic's agreed priority asks of everyone.",
            basedOnPriorities = new[] { tellPatients }, decisionMakers = new[] { lim, okafor, patel, tom, ada, jenny },
            answersAmendments = new[] { outcomeWording.Id }, expectedVersion = 4,
        }, ct);
        var session = (await MoveOnAsync(client, "curriculum-changes", module, "teaching-sessions", new
        {
            by = lim, title = "Waiting and uncertainty: what patients need to hear", deliveredOn = new DateTimeOffset(2026, 11, 19, 14, 0, 0, TimeSpan.Zero),
            teachers = new[] { okafor, patel, ada, tom }, learners = 24,
        }, ct)).Id!.Value;
        async Task<Guid> Reflect(Guid by, string learned, string taught) =>
            await CreateAsync(client, $"/api/curriculum-changes/{module}/reflections", new { by, sessionId = session, learned, taught }, ct);
        Guid[] reflections =
        [
            await Reflect(okafor, "Students fear saying \"I don't know how long\" more than patients mind hearing it.", "What two hours without news feels like from the waiting room."),
            await Reflect(tom, "Patients can teach a skill I thought only doctors could.", "How the role-play looks from a student's side, to the Year 3s."),
            await Reflect(ada, "Students want to hear how nurses give bad news about time.", "The words reception and nurses use when the clinic runs late."),
            await Reflect(lim, "Co-teaching needs the patient educators in the planning, not only the room.", "How to frame uncertainty so that it stays honest."),
        ];
        var teachingLesson = await CreateAsync(client, "/api/lessons", new
        {
            by = lim, about = module, text = "Sessions co-taught by patient educators were rated most useful; plan them in from the start.", evidence = reflections,
        }, ct);
        narration.WriteLine("Patient educators, a peer tutor and a nurse co-designed and co-taught the communication session, and everyone reflected on it.");

        return new StoryOutcome(
            redesign, round, tellPatients, textPatients,
            new Dictionary<string, Guid>
            {
                ["jenny"] = jenny, ["okafor"] = okafor, ["patel"] = patel, ["ada"] = ada, ["reyes"] = reyes, ["brown"] = brown, ["lim"] = lim, ["tom"] = tom,
            },
            [tellPatients, textPatients, appointmentLength, triage],
            waited, newFeedback, [clinicLesson, studentLesson, teachingLesson], module, session, reflections);

        Task<Guid> Feedback(string patientRef, string rating, string comment) =>
            CreateAsync(client, "/api/patient-feedback", new
            {
                service = "Outpatient Diabetes Clinic",
                source = "clinic-survey-kiosk",
                receivedAt = new DateTimeOffset(2026, 11, 18, 9, 30, 0, TimeSpan.Zero),
                rating,
                comment,
                patientRef,
                consent = new[] { "serviceImprovement", "research", "education" },
            }, ct);

        Task RankAsync(Guid by, params Guid[] ranking) => PostAsync(client, $"/api/rounds/{round}/interim-rankings", new { by, ranking }, ct);
    }

    private sealed record Accepted(long Version, Guid? Id);

    private static Task<Accepted> MoveAsync(HttpClient client, Guid priority, string move, object body, CancellationToken ct) =>
        MoveOnAsync(client, "priorities", priority, move, body, ct);

    /// <summary>A move on a priority, a service redesign or a curriculum change: the same negotiation for each.</summary>
    private static async Task<Accepted> MoveOnAsync(HttpClient client, string kind, Guid id, string move, object body, CancellationToken ct)
    {
        using var response = await PostAsync(client, $"/api/{kind}/{id}/{move}", body, ct);
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
