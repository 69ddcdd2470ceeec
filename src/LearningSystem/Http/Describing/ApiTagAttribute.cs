namespace LearningSystem.Http.Describing;

/// <summary>
/// On a room's module: the tag its endpoints are grouped under in the OpenAPI document, and what it covers.
/// Each room describes itself; the document collects them.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class ApiTagAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;

    public string Description { get; } = description;
}
