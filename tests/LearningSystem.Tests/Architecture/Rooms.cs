using Mono.Cecil;

namespace LearningSystem.Tests.Architecture;

/// <summary>
/// The service's rooms (its top-level namespaces under <c>LearningSystem</c>) and which depends on which, read
/// from the compiled assembly with Mono.Cecil: signatures, attributes and every method body, so a dependency
/// made only inside a method counts too.
/// </summary>
public static class Rooms
{
    /// <summary>Types directly in <c>LearningSystem</c> (Rejected): every room may use them.</summary>
    public const string Root = "(root)";

    public sealed record Dependency(string From, string To, string Example);

    /// <summary>The room a namespace belongs to, or null for code outside the rooms (generated, embedded, global).</summary>
    public static string? RoomOf(string? ns) => ns switch
    {
        "LearningSystem" => Root,
        not null when ns.StartsWith("LearningSystem.", StringComparison.Ordinal) => ns["LearningSystem.".Length..].Split('.')[0],
        _ => null,
    };

    /// <summary>Every dependency between two rooms, with one example of it (the first type found making it).</summary>
    public static IReadOnlyList<Dependency> DependenciesOf(string assemblyPath)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        var found = new Dictionary<(string, string), string>();
        foreach (var type in module.GetTypes())
        {
            var from = RoomOf(NamespaceOf(type));
            if (from is null)
            {
                continue;
            }

            foreach (var used in Referenced(type))
            {
                var to = RoomOf(NamespaceOf(used));
                if (to is not null && to != from && to != Root)
                {
                    found.TryAdd((from, to), $"{type.FullName} uses {used.FullName}");
                }
            }
        }

        return found.Select(f => new Dependency(f.Key.Item1, f.Key.Item2, f.Value)).OrderBy(d => d.From, StringComparer.Ordinal).ThenBy(d => d.To, StringComparer.Ordinal).ToArray();
    }

    /// <summary>Types of <c>LearningSystem.{room}.*</c> (below the room's own namespace) used from outside the room.</summary>
    public static IReadOnlyList<string> UsesOfInsides(string assemblyPath, string room)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        var inside = $"LearningSystem.{room}.";
        return module.GetTypes()
            .Where(t => RoomOf(NamespaceOf(t)) is { } from && from != room && from != "Composition")
            .SelectMany(t => Referenced(t).Where(u => NamespaceOf(u)?.StartsWith(inside, StringComparison.Ordinal) == true).Select(u => $"{t.FullName} uses {u.FullName}"))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    // A nested type lives in its outermost declaring type's namespace.
    private static string? NamespaceOf(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type.Namespace;
    }

    private static List<TypeReference> Referenced(TypeDefinition type)
    {
        var seen = new List<TypeReference>();
        void Add(TypeReference? t)
        {
            switch (t)
            {
                case null:
                    return;
                case GenericInstanceType generic:
                    Add(generic.ElementType);
                    foreach (var argument in generic.GenericArguments)
                    {
                        Add(argument);
                    }

                    return;
                case TypeSpecification specification:
                    Add(specification.ElementType);
                    return;
                case GenericParameter:
                    return;
                default:
                    seen.Add(t);
                    return;
            }
        }

        void Attributes(ICustomAttributeProvider provider)
        {
            foreach (var attribute in provider.CustomAttributes)
            {
                Add(attribute.AttributeType);
                foreach (var argument in attribute.ConstructorArguments.Concat(attribute.Properties.Select(p => p.Argument)))
                {
                    Add(argument.Value as TypeReference);
                }
            }
        }

        void Method(MethodReference method)
        {
            Add(method.DeclaringType);
            Add(method.ReturnType);
            foreach (var parameter in method.Parameters)
            {
                Add(parameter.ParameterType);
            }

            if (method is GenericInstanceMethod generic)
            {
                foreach (var argument in generic.GenericArguments)
                {
                    Add(argument);
                }
            }
        }

        Add(type.BaseType);
        Attributes(type);
        foreach (var implemented in type.Interfaces)
        {
            Add(implemented.InterfaceType);
        }

        foreach (var field in type.Fields)
        {
            Add(field.FieldType);
            Attributes(field);
        }

        foreach (var property in type.Properties)
        {
            Add(property.PropertyType);
            Attributes(property);
        }

        foreach (var method in type.Methods)
        {
            Method(method);
            Attributes(method);
            foreach (var parameter in method.Parameters)
            {
                Attributes(parameter);
            }

            if (!method.HasBody)
            {
                continue;
            }

            foreach (var variable in method.Body.Variables)
            {
                Add(variable.VariableType);
            }

            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        Add(t);
                        break;
                    case MethodReference m:
                        Method(m);
                        break;
                    case FieldReference f:
                        Add(f.DeclaringType);
                        Add(f.FieldType);
                        break;
                }
            }
        }

        return seen;
    }
}
