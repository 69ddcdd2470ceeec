using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LearningSystem.Http;

/// <summary>
/// One wire format for events read straight from the store: enums are stored by their C# names ("Nurse"),
/// and leave as the API spells them ("nurse"); stream kinds are stored as aliases ("service_redesign") and
/// leave camelCased ("serviceRedesign"). Stored events keep their stored form; this translates on the way out.
/// </summary>
public static partial class WireJson
{
    private static readonly ConcurrentDictionary<string, IReadOnlySet<string>> EnumProperties = new();
    private static readonly Lazy<Dictionary<string, Type>> EventTypes = new(() => typeof(WireJson).Assembly.GetTypes()
        .Where(t => t.Namespace?.StartsWith(nameof(LearningSystem), StringComparison.Ordinal) == true && t is { IsClass: true, IsAbstract: false })
        .GroupBy(t => Alias(t.Name))
        .ToDictionary(g => g.Key, g => g.First()));

    /// <summary>Marten's alias of a type name: "PatientDataErased" is "patient_data_erased".</summary>
    public static string Alias(string name) => CamelBoundary().Replace(name, "$1_$2").ToLowerInvariant();

    /// <summary>A stored alias as the wire spells it: "service_redesign" is "serviceRedesign".</summary>
    public static string Camel(string alias)
    {
        var parts = alias.Split('_', StringSplitOptions.RemoveEmptyEntries);
        return string.Concat(parts.Select((p, i) => i == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
    }

    /// <summary>Writes an event's stored data, with every enum value of its type as the wire spells it.</summary>
    public static void WriteData(Utf8JsonWriter writer, string eventType, string data)
    {
        var enums = EnumProperties.GetOrAdd(eventType, t => EventTypes.Value.TryGetValue(t, out var type) ? EnumNames(type) : new HashSet<string>());
        if (enums.Count == 0)
        {
            writer.WriteRawValue(data, skipInputValidation: true);
            return;
        }

        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(data));
        // Each open object or array, with the property that holds it; a value's owner is the property before it,
        // or, inside an array, the array's property.
        var open = new Stack<(bool Array, string? Property)>();
        string? pending = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    pending = reader.GetString();
                    writer.WritePropertyName(pending!);
                    continue;
                case JsonTokenType.StartObject:
                    open.Push((false, pending));
                    writer.WriteStartObject();
                    break;
                case JsonTokenType.StartArray:
                    open.Push((true, pending));
                    writer.WriteStartArray();
                    break;
                case JsonTokenType.EndObject:
                    open.Pop();
                    writer.WriteEndObject();
                    break;
                case JsonTokenType.EndArray:
                    open.Pop();
                    writer.WriteEndArray();
                    break;
                case JsonTokenType.String:
                    var value = reader.GetString()!;
                    var owner = open.Count > 0 && open.Peek().Array ? open.Peek().Property : pending;
                    writer.WriteStringValue(owner is not null && enums.Contains(owner) ? JsonNamingPolicy.CamelCase.ConvertName(value) : value);
                    break;
                default:
                    writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                    break;
            }

            pending = null;
        }
    }

    /// <summary>The camelCase names of every property, at any depth of <paramref name="type"/>, that holds an enum or a list of them.</summary>
    private static HashSet<string> EnumNames(Type type)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<Type>();
        void Walk(Type t)
        {
            if (!seen.Add(t))
            {
                return;
            }

            foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var item = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
                if (item != typeof(string) && item.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)) is { } list)
                {
                    item = Nullable.GetUnderlyingType(list.GetGenericArguments()[0]) ?? list.GetGenericArguments()[0];
                }

                if (item.IsEnum)
                {
                    names.Add(JsonNamingPolicy.CamelCase.ConvertName(p.Name));
                }
                else if (item.Namespace?.StartsWith(nameof(LearningSystem), StringComparison.Ordinal) == true && item.IsClass)
                {
                    Walk(item);
                }
            }
        }

        Walk(type);
        return names;
    }

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex CamelBoundary();
}
