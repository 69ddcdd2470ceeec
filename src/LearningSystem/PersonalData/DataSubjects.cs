namespace LearningSystem.PersonalData;

/// <summary>Names of data subjects. A patient is named by a keyed hash of their reference, never the reference.</summary>
public static class DataSubjects
{
    public static string Participant(Guid id) => $"participant:{id}";
    public static string Patient(string keyedHash) => $"patient:{keyedHash}";
    public static string AnonymousFeedback(Guid feedbackId) => $"feedback:{feedbackId}";
}
