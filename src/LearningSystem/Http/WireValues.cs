using System.Text.Json;

namespace LearningSystem.Http;

/// <summary>
/// The camelCase spelling of an enum on the wire. Commands take these as strings so that an unknown value
/// is a field error from validation rather than a JSON parse failure.
/// </summary>
public static class WireValues<T> where T : struct, Enum
{
    private static readonly Dictionary<string, T> ByName =
        Enum.GetValues<T>().ToDictionary(v => JsonNamingPolicy.CamelCase.ConvertName(v.ToString()), StringComparer.Ordinal);

    private static readonly string Listed = string.Join(", ", ByName.Keys);

    /// <summary>Every wire value, in declaration order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Enum.GetValues<T>().Select(Name)];

    /// <summary>The validation message for a value outside the enum, naming the allowed ones.</summary>
    public static string NotOneOf { get; } = $"'{{PropertyValue}}' is not one of: {Listed}.";

    public static bool IsDefined(string? value) => value is not null && ByName.ContainsKey(value);

    /// <summary>The rule for a command field that takes one of these values: <c>RuleFor(x => x.Group).OneOf(WireValues&lt;StakeholderGroup&gt;.Allowed)</c>.</summary>
    public static AllowedValues Allowed { get; } = new(Names, IsDefined, NotOneOf);

    /// <summary>Parses a wire value; an unknown one is a 400 naming <paramref name="field"/>.</summary>
    public static T Parse(string value, string? field = null) =>
        ByName.TryGetValue(value, out var parsed) ? parsed : throw Rejected.Invalid($"'{value}' is not one of: {Listed}.", field);

    public static string Name(T value) => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}
