using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;

namespace LearningSystem.Hosting;

/// <summary>
/// What text may hold, decided once for every body (<see cref="CommandInput"/>), query and route value
/// (<see cref="InputGuard"/>): printable characters, tab, line feed and carriage return. Other control characters are refused, NUL above all: PostgreSQL cannot store
/// it, and a value it refuses while binding an auto-prepared statement leaves Npgsql's connection unusable
/// for the next request (see docs/design.md). Unpaired surrogates are refused for the same reason.
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

/// <summary>
/// What every command body is checked for before its validator runs, at any depth, naming each fault as the
/// wire spells it ("coDesigners[0].role"): text that <see cref="TextInput"/> refuses, the empty UUID, which
/// names nothing, and <c>null</c> inside a list.
/// </summary>
public static class CommandInput
{
    public const string EmptyId = "The empty UUID (all zeros) names nothing; give the id of an existing item.";
    private const string NullItem = "A list may not hold null.";
    private static readonly ConcurrentDictionary<Type, (PropertyInfo Property, string Name)[]> Properties = new();

    public static IReadOnlyDictionary<string, string> Faults(object command)
    {
        var found = new Dictionary<string, string>();
        Walk(command, "", found, 0);
        return found;
    }

    private static void Walk(object value, string path, Dictionary<string, string> found, int depth)
    {
        switch (value)
        {
            case string text:
                if (TextInput.Refusal(text) is { } refusal)
                {
                    found.TryAdd(path, refusal);
                }

                return;
            case Guid id:
                if (id == Guid.Empty)
                {
                    found.TryAdd(path, EmptyId);
                }

                return;
            case IEnumerable items:
                var i = 0;
                foreach (var item in items)
                {
                    var at = $"{path}[{i++}]";
                    if (item is null)
                    {
                        found.TryAdd(at, NullItem);
                    }
                    else
                    {
                        Walk(item, at, found, depth + 1);
                    }
                }

                return;
        }

        // Only the service's own records hold fields; the bound stops a cycle, never a real command.
        if (depth > 8 || value.GetType().Namespace?.StartsWith(nameof(LearningSystem), StringComparison.Ordinal) != true)
        {
            return;
        }

        var properties = Properties.GetOrAdd(value.GetType(), t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .Select(p => (p, JsonNamingPolicy.CamelCase.ConvertName(p.Name)))
            .ToArray());
        foreach (var (property, name) in properties)
        {
            if (property.GetValue(value) is { } child)
            {
                Walk(child, path.Length == 0 ? name : $"{path}.{name}", found, depth + 1);
            }
        }
    }
}
