using LearningSystem.PersonalData;
using LearningSystem.Http;

namespace LearningSystem.Feedback;

/// <summary>Feedback cited as evidence must have been consented for the purpose it is cited for.</summary>
public static class ConsentedEvidence
{
    /// <summary>The feedback a proposal cites as evidence: each piece recorded (else 404), and consented for <paramref name="purpose"/> (else 400).</summary>
    public static Guid[] EnsureEvidence(IEnumerable<Guid>? cited, IReadOnlyCollection<PatientFeedback> found, ConsentScope purpose)
    {
        var evidence = (cited ?? []).Distinct().ToArray();
        if (evidence.Except(found.Select(f => f.Id)).ToArray() is { Length: > 0 } missing)
        {
            throw Rejected.NotFound($"No patient feedback {string.Join(", ", missing)} is recorded.", "evidence");
        }

        if (found.Where(f => !f.Consent.Contains(purpose)).Select(f => f.Id).ToArray() is { Length: > 0 } withoutConsent)
        {
            throw Rejected.Invalid($"Patient feedback {string.Join(", ", withoutConsent)} was not consented for {WireValues<ConsentScope>.Name(purpose)}.", "evidence");
        }

        return evidence;
    }
}
