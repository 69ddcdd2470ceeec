using System.Text.Json;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LearningSystem.Hosting;

/// <summary>
/// A command's schema says what its validator requires, not what its record's constructor lists: every command
/// property is optional on the wire (validation names what is missing), so <c>required</c> holds exactly the
/// fields with a NotNull or NotEmpty rule, and <c>maxLength</c> comes from the length rules.
/// </summary>
public sealed class CommandSchemas : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type.IsValueType || type == typeof(string)
            || context.ApplicationServices.GetService(typeof(IValidator<>).MakeGenericType(type)) is not IValidator validator)
        {
            return Task.CompletedTask;
        }

        var required = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var member in validator.CreateDescriptor().GetMembersWithValidators())
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(member.Key);
            var rules = member.Select(m => m.Validator).ToArray();
            if (rules.Any(r => r is INotNullValidator or INotEmptyValidator))
            {
                required.Add(name);
            }

            if (rules.OfType<ILengthValidator>().FirstOrDefault(r => r.Max > 0) is { } length
                && schema.Properties is { } properties && properties.TryGetValue(name, out var found) && found is OpenApiSchema property)
            {
                property.MaxLength = length.Max;
            }
        }

        schema.Required = required;
        return Task.CompletedTask;
    }
}
