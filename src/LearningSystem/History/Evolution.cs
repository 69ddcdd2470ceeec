using System.Linq.Expressions;
using System.Reflection;
using JasperFx.Events;

namespace LearningSystem.History;

/// <summary>
/// Folds a stream one event at a time with the aggregate's own Create and Apply, as the inline view does,
/// so that a replay can show the state after every step without reading the stream again for each.
/// </summary>
public static class Evolution<T> where T : class
{
    // Compiled once: a rebuild folds every event of the store through these.
    private static readonly Dictionary<Type, Func<object, T?>> Creates = typeof(T).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(m => m.Name == "Create" && m.GetParameters().Length == 1)
        .ToDictionary(m => m.GetParameters()[0].ParameterType, m =>
        {
            var data = Expression.Parameter(typeof(object));
            return Expression.Lambda<Func<object, T?>>(Expression.Call(m, Expression.Convert(data, m.GetParameters()[0].ParameterType)), data).Compile();
        });

    private static readonly Dictionary<Type, Func<object, T, T?>> Applies = typeof(T).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(m => m.Name == "Apply" && m.GetParameters() is [_, var state] && state.ParameterType == typeof(T))
        .ToDictionary(m => m.GetParameters()[0].ParameterType, m =>
        {
            var data = Expression.Parameter(typeof(object));
            var state = Expression.Parameter(typeof(T));
            return Expression.Lambda<Func<object, T, T?>>(Expression.Call(m, Expression.Convert(data, m.GetParameters()[0].ParameterType), state), data, state).Compile();
        });

    private static readonly PropertyInfo? Version = typeof(T).GetProperty("Version", typeof(long));

    public static T? Evolve(T? state, IEvent e) => Evolve(state, e.Data, e.Version);

    public static T? Evolve(T? state, object data, long version)
    {
        var type = data.GetType();
        var next = state is null
            ? Creates.TryGetValue(type, out var create) ? create(data) : null
            : Applies.TryGetValue(type, out var apply) ? apply(data, state) : state;
        if (next is not null && !ReferenceEquals(next, state))
        {
            Version?.SetValue(next, version);
        }
        else if (next is not null)
        {
            next = Clone(next);
            Version?.SetValue(next, version);
        }

        return next;
    }

    // Records are immutable; a step that changes nothing still moves the version, on a copy.
    private static readonly Func<T, T> Clone = typeof(T).GetMethod("<Clone>$")!.CreateDelegate<Func<T, T>>();
}
