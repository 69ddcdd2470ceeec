using LearningSystem.Http;

namespace LearningSystem.PersonalData;

/// <summary>What a person agreed their contributions may be used for: a purpose of processing.</summary>
public enum ConsentScope
{
    ServiceImprovement,
    Research,
    Publication,
    Education,
}

public static class ConsentScopes
{
    /// <summary>Each scope once, in a stable order, so that equal consents compare equal.</summary>
    public static ConsentScope[] Parse(IEnumerable<string> scopes) =>
        scopes.Select(v => WireValues<ConsentScope>.Parse(v)).Distinct().Order().ToArray();
}
