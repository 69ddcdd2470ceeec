using LearningSystem.Curriculum;
using LearningSystem.Curriculum.Reflecting;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Negotiating;
using LearningSystem.Feedback;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using LearningSystem.ServiceRedesigns;

using LearningSystem.PersonalData;

namespace LearningSystem.Composition;

/// <summary>
/// The personal-data register: the one place that says which stored text of every room is personal. Personal
/// fields are sealed under their data subject's key before they are appended; names of services, titles and
/// reasons are not personal. It names every room's stored types, so it lives with the composition, and the
/// PersonalData room is given it (<see cref="PersonalDataVault"/>, <see cref="SealedFieldsGuard"/>).
/// </summary>
public static class PersonalFields
{
    public static PersonalDataSchema Schema { get; } = new PersonalDataSchema()
        .Identifying(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(nameof(PatientFeedbackRecorded.PatientRef)))
        .Personal<ParticipantRegistered>(nameof(ParticipantRegistered.DisplayName),
            e => DataSubjects.Participant(e.ParticipantId), e => e.DisplayName, (e, v) => e with { DisplayName = v! })
        .NotPersonal<ParticipantRegistered>(nameof(ParticipantRegistered.OrganisationRole))
        .Personal<Participant>(nameof(Participant.DisplayName),
            p => DataSubjects.Participant(p.Id), p => p.DisplayName, (p, v) => p with { DisplayName = v! })
        .NotPersonal<Participant>(nameof(Participant.OrganisationRole))
        .NotPersonal<ParticipantErased>(nameof(ParticipantErased.Reason))
        .Personal<PatientFeedbackRecorded>(nameof(PatientFeedbackRecorded.Comment),
            e => e.DataSubject, e => e.Comment, (e, v) => e with { Comment = v! })
        .Personal<PatientFeedbackRecorded>(nameof(PatientFeedbackRecorded.PatientRef),
            e => e.DataSubject, e => e.PatientRef, (e, v) => e with { PatientRef = v })
        .NotPersonal<PatientFeedbackRecorded>(nameof(PatientFeedbackRecorded.Service), nameof(PatientFeedbackRecorded.Source), nameof(PatientFeedbackRecorded.DataSubject))
        .Personal<PatientFeedback>(nameof(PatientFeedback.Comment),
            f => f.DataSubject, f => f.Comment, (f, v) => f with { Comment = v! })
        .Personal<PatientFeedback>(nameof(PatientFeedback.PatientRef),
            f => f.DataSubject, f => f.PatientRef, (f, v) => f with { PatientRef = v })
        .NotPersonal<PatientFeedback>(nameof(PatientFeedback.Service), nameof(PatientFeedback.Source), nameof(PatientFeedback.DataSubject))
        .Personal<FeedbackResponded>(nameof(FeedbackResponded.Text),
            e => e.DataSubject, e => e.Text, (e, v) => e with { Text = v! })
        .NotPersonal<FeedbackResponded>(nameof(FeedbackResponded.DataSubject))
        .NotPersonal<PatientDataErased>(nameof(PatientDataErased.DataSubject), nameof(PatientDataErased.Reason))
        .NotPersonal<ServiceRedesignProposed>(
            nameof(ServiceRedesignProposed.Title), nameof(ServiceRedesignProposed.Problem),
            nameof(ServiceRedesignProposed.ProposedChange), nameof(ServiceRedesignProposed.Service))
        .NotPersonal<ChangeDecided>(nameof(ChangeDecided.Rationale))
        .NotPersonal<ChangeImplemented>(nameof(ChangeImplemented.WhatChanged))
        .NotPersonal<OutcomeMeasured>(nameof(OutcomeMeasured.Measure), nameof(OutcomeMeasured.Unit), nameof(OutcomeMeasured.Source))
        .NotPersonal<ChangeEvaluated>(nameof(ChangeEvaluated.Summary))
        .NotPersonal<ServiceRedesign>(
            nameof(ServiceRedesign.Title), nameof(ServiceRedesign.Problem),
            nameof(ServiceRedesign.ProposedChange), nameof(ServiceRedesign.Service))
        // Negotiation: wordings, rationales, reasons and comments are not personal by default.
        .NotPersonal<PrioritySet>(nameof(PrioritySet.Statement), nameof(PrioritySet.Rationale))
        .NotPersonal<Priority>(nameof(Priority.Statement), nameof(Priority.Rationale))
        .NotPersonal<ProposalEndorsed>(nameof(ProposalEndorsed.Comment))
        .NotPersonal<LearningSystem.Negotiating.Endorsing.Endorsement>(nameof(LearningSystem.Negotiating.Endorsing.Endorsement.Comment))
        .NotPersonal<ObjectionRaised>(nameof(ObjectionRaised.Reason))
        .NotPersonal<LearningSystem.Negotiating.Objecting.Objection>(nameof(LearningSystem.Negotiating.Objecting.Objection.Reason))
        .NotPersonal<ObjectionWithdrawn>(nameof(ObjectionWithdrawn.Reason))
        .NotPersonal<AmendmentProposed>(nameof(AmendmentProposed.Wording), nameof(AmendmentProposed.Reason))
        .NotPersonal<AmendmentAccepted>(nameof(AmendmentAccepted.Reason))
        .NotPersonal<AmendmentRejected>(nameof(AmendmentRejected.Reason))
        .NotPersonal<CounterProposed>(nameof(CounterProposed.Reason))
        .NotPersonal<PriorityMerged>(nameof(PriorityMerged.Reason))
        .NotPersonal<PriorityAbsorbed>(nameof(PriorityAbsorbed.Reason))
        .NotPersonal<PriorityWithdrawn>(nameof(PriorityWithdrawn.Reason))
        .NotPersonal<PriorityDecided>(nameof(PriorityDecided.Rationale))
        .NotPersonal<DecisionReopened>(nameof(DecisionReopened.Reason))
        .NotPersonal<LearningSystem.Decisions.DecisionEntry>(nameof(LearningSystem.Decisions.DecisionEntry.Outcome))
        .NotPersonal<RoundOpened>(nameof(RoundOpened.Question), nameof(RoundOpened.Scope))
        .NotPersonal<Round>(nameof(Round.Question), nameof(Round.Scope))
        .NotPersonal<WorkshopRankingRecorded>(nameof(WorkshopRankingRecorded.SmallGroup))
        .NotPersonal<LearningSystem.Lessons.LessonRecorded>(
            nameof(LearningSystem.Lessons.LessonRecorded.Service), nameof(LearningSystem.Lessons.LessonRecorded.Text), nameof(LearningSystem.Lessons.LessonRecorded.Course))
        .NotPersonal<LearningSystem.Lessons.Lesson>(
            nameof(LearningSystem.Lessons.Lesson.Service), nameof(LearningSystem.Lessons.Lesson.Text), nameof(LearningSystem.Lessons.Lesson.Course))
        // Reflections are the participant's own account of their learning, sealed under their key.
        .Personal<ReflectionRecorded>(nameof(ReflectionRecorded.Learned),
            e => DataSubjects.Participant(e.By), e => e.Learned, (e, v) => e with { Learned = v! })
        .Personal<ReflectionRecorded>(nameof(ReflectionRecorded.Taught),
            e => DataSubjects.Participant(e.By), e => e.Taught, (e, v) => e with { Taught = v! })
        .Personal<Reflection>(nameof(Reflection.Learned), r => DataSubjects.Participant(r.By), r => r.Learned, (r, v) => r with { Learned = v! })
        .Personal<Reflection>(nameof(Reflection.Taught), r => DataSubjects.Participant(r.By), r => r.Taught, (r, v) => r with { Taught = v! })
        .NotPersonal<CurriculumChangeProposed>(
            nameof(CurriculumChangeProposed.Course), nameof(CurriculumChangeProposed.Module),
            nameof(CurriculumChangeProposed.LearningOutcome), nameof(CurriculumChangeProposed.ProposedChange))
        .NotPersonal<CurriculumChange>(
            nameof(CurriculumChange.Course), nameof(CurriculumChange.Module), nameof(CurriculumChange.LearningOutcome), nameof(CurriculumChange.ProposedChange))
        .NotPersonal<TeachingSessionDelivered>(nameof(TeachingSessionDelivered.Title))
        .NotPersonal<LearningSystem.Audit.Checkpoints.AuditCheckpoint>(
            nameof(LearningSystem.Audit.Checkpoints.AuditCheckpoint.Root), nameof(LearningSystem.Audit.Checkpoints.AuditCheckpoint.Statement),
            nameof(LearningSystem.Audit.Checkpoints.AuditCheckpoint.Signature), nameof(LearningSystem.Audit.Checkpoints.AuditCheckpoint.KeyId),
            nameof(LearningSystem.Audit.Checkpoints.AuditCheckpoint.PublicKey), nameof(LearningSystem.Audit.Checkpoints.AuditCheckpoint.HeadsRoot),
            nameof(LearningSystem.Audit.Checkpoints.AuditCheckpoint.Previous), nameof(LearningSystem.Audit.Checkpoints.AuditCheckpoint.SignatureDer))
        // Keyed command answers hold ids, versions and problems; the request itself is kept only as a hash.
        .NotPersonal<LearningSystem.Http.Idempotency.IdempotentRequest>(
            nameof(LearningSystem.Http.Idempotency.IdempotentRequest.Id), nameof(LearningSystem.Http.Idempotency.IdempotentRequest.RequestHash),
            nameof(LearningSystem.Http.Idempotency.IdempotentRequest.ContentType), nameof(LearningSystem.Http.Idempotency.IdempotentRequest.Location),
            nameof(LearningSystem.Http.Idempotency.IdempotentRequest.Body), nameof(LearningSystem.Http.Idempotency.IdempotentRequest.ETag))
        .NotPersonal<LearningSystem.Notifications.WebhookSubscription>(
            nameof(LearningSystem.Notifications.WebhookSubscription.Url), nameof(LearningSystem.Notifications.WebhookSubscription.Secret),
            nameof(LearningSystem.Notifications.WebhookSubscription.Client))
        .NotPersonal<SubjectKey>(nameof(SubjectKey.Subject), nameof(SubjectKey.MasterKeyId), nameof(SubjectKey.TenantId))
        // A browser session names a client and an organisation; its token is kept only as a hash.
        .NotPersonal<LearningSystem.Access.BrowserSession>(
            nameof(LearningSystem.Access.BrowserSession.Id), nameof(LearningSystem.Access.BrowserSession.Client),
            nameof(LearningSystem.Access.BrowserSession.Organisation), nameof(LearningSystem.Access.BrowserSession.Antiforgery),
            nameof(LearningSystem.Access.BrowserSession.Scopes), nameof(LearningSystem.Access.BrowserSession.Organisations))
        .NotPersonal<LearningSystem.Access.DataProtectionKey>(
            nameof(LearningSystem.Access.DataProtectionKey.Id), nameof(LearningSystem.Access.DataProtectionKey.Xml));
}
