using LearningSystem.Hosting;

namespace LearningSystem.Feedback;

public static class ConsentScopes
{
    /// <summary>Each scope once, in a stable order, so that equal consents compare equal.</summary>
    public static ConsentScope[] Parse(IEnumerable<string> scopes) =>
        scopes.Select(v => WireValues<ConsentScope>.Parse(v)).Distinct().Order().ToArray();
}
