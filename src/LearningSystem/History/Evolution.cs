using System.Reflection;
using JasperFx.Events;

namespace LearningSystem.History;

/// <summary>
/// Folds a stream one event at a time with the aggregate's own Create and Apply, as the inline view does,
/// so that a replay can show the state after every step without reading the stream again for each.
/// </summary>
public static class Evolution<T> where T : class
{
    private static readonly Dictionary<Type, MethodInfo> Creates = typeof(T).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(m => m.Name == "Create" && m.GetParameters().Length == 1)
        .ToDictionary(m => m.GetParameters()[0].ParameterType);

    private static readonly Dictionary<Type, MethodInfo> Applies = typeof(T).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(m => m.Name == "Apply" && m.GetParameters() is [_, var state] && state.ParameterType == typeof(T))
        .ToDictionary(m => m.GetParameters()[0].ParameterType);

    private static readonly PropertyInfo? Version = typeof(T).GetProperty("Version", typeof(long));

    public static T? Evolve(T? state, IEvent e)
    {
        var type = e.Data.GetType();
        var next = state is null
            ? Creates.TryGetValue(type, out var create) ? (T?)create.Invoke(null, [e.Data]) : null
            : Applies.TryGetValue(type, out var apply) ? (T?)apply.Invoke(null, [e.Data, state]) : state;
        if (next is not null && !ReferenceEquals(next, state))
        {
            Version?.SetValue(next, e.Version);
        }
        else if (next is not null)
        {
            next = Clone(next);
            Version?.SetValue(next, e.Version);
        }

        return next;
    }

    // Records are immutable; a step that changes nothing still moves the version, on a copy.
    private static T Clone(T value) => (T)typeof(T).GetMethod("<Clone>$")!.Invoke(value, null)!;
}
