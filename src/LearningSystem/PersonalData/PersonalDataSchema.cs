namespace LearningSystem.PersonalData;

/// <summary>A string field that holds personal data, and whose data subject it belongs to.</summary>
public sealed record PersonalField(Type Owner, string Name, Func<object, string> Subject, Func<object, string?> Get, Func<object, string?, object> Set);

/// <summary>
/// Which fields of which events and views are personal. Every string field of every stored type must be
/// declared here as personal or as not personal; a test holds new types to that.
/// </summary>
public sealed class PersonalDataSchema
{
    private readonly Dictionary<Type, List<PersonalField>> _personal = [];
    private readonly Dictionary<Type, HashSet<string>> _notPersonal = [];
    private readonly HashSet<string> _identifying = new(StringComparer.Ordinal);

    public PersonalDataSchema Personal<T>(string name, Func<T, string> subject, Func<T, string?> get, Func<T, string?, T> set) where T : notnull
    {
        var fields = _personal.TryGetValue(typeof(T), out var list) ? list : _personal[typeof(T)] = [];
        fields.Add(new PersonalField(typeof(T), name, o => subject((T)o), o => get((T)o), (o, v) => set((T)o, v)));
        return this;
    }

    public PersonalDataSchema NotPersonal<T>(params string[] names)
    {
        var set = _notPersonal.TryGetValue(typeof(T), out var existing) ? existing : _notPersonal[typeof(T)] = [];
        set.UnionWith(names);
        return this;
    }

    /// <summary>
    /// Personal fields, as stored JSON names them, that identify someone rather than say something: never
    /// exported, whatever the consent.
    /// </summary>
    public PersonalDataSchema Identifying(params string[] jsonNames)
    {
        _identifying.UnionWith(jsonNames);
        return this;
    }

    public bool IsIdentifying(string jsonName) => _identifying.Contains(jsonName);

    public IReadOnlyList<PersonalField> FieldsOf(Type type) => _personal.TryGetValue(type, out var fields) ? fields : [];

    public bool IsClassified(Type type, string field) =>
        FieldsOf(type).Any(f => f.Name == field) || (_notPersonal.TryGetValue(type, out var names) && names.Contains(field));
}
