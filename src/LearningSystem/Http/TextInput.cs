namespace LearningSystem.Http;

/// <summary>
/// What text may hold, decided once for every body (<see cref="CommandInput"/>), query and route value
/// (<see cref="InputGuard"/>): printable characters, tab, line feed and carriage return. Other control
/// characters are refused, NUL above all: PostgreSQL cannot store it, and a value it refuses while binding an
/// auto-prepared statement leaves Npgsql's connection unusable for the next request (see docs/design.md).
/// Unpaired surrogates are refused for the same reason.
/// </summary>
public static class TextInput
{
    /// <summary>Optional free text as stored: trimmed, and absent rather than blank.</summary>
    public static string? Optional(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Why <paramref name="value"/> cannot be accepted as text, or null when it can.</summary>
    public static string? Refusal(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return $"Text may not hold an unpaired surrogate (U+{(int)c:X4}, at character {i + 1}).";
            }

            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return $"Text may not hold the control character U+{(int)c:X4} (at character {i + 1}); only tab, line feed and carriage return are allowed.";
            }
        }

        return null;
    }
}
