namespace LearningSystem.Hosting;

public static class TextInput
{
    /// <summary>Optional free text as stored: trimmed, and absent rather than blank.</summary>
    public static string? Optional(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
