using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;

namespace LearningSystem.Http;

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
