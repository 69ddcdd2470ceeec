using System.Text.Json;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LearningSystem.Http.Describing;

/// <summary>
/// A command's schema says what its validator requires, not what its record's constructor lists: every command
/// property is optional on the wire (validation names what is missing), so <c>required</c> holds exactly the
/// fields with a NotNull or NotEmpty rule, and those are not nullable. <c>maxLength</c> comes from the length
/// rules, <c>minimum</c> and <c>maximum</c> from the range rules, and <c>enum</c> from the allowed-values rules.
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
        foreach (var rule in validator.CreateDescriptor().Rules.Where(r => r.PropertyName is not null))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(rule.PropertyName!);
            var rules = rule.Components.Select(c => c.Validator).ToArray();
            // RuleForEach rules speak of the items: they never make the list itself required.
            var each = rule.GetType().GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollectionRule<,>));
            var property = schema.Properties is { } properties && properties.TryGetValue(name, out var found) ? found as OpenApiSchema : null;
            if (!each && rules.Any(r => r is INotNullValidator or INotEmptyValidator))
            {
                required.Add(name);
                if (property is not null)
                {
                    property.Type &= ~JsonSchemaType.Null;
                }
            }

            if (property is null)
            {
                continue;
            }

            // A rule for each item of a list applies to the list's items.
            var target = property.Type?.HasFlag(JsonSchemaType.Array) == true && property.Items is OpenApiSchema items ? items : property;
            if (rules.OfType<ILengthValidator>().FirstOrDefault(r => r.Max > 0) is { } length)
            {
                target.MaxLength = length.Max;
            }

            if (rules.OfType<IAllowedValuesValidator>().FirstOrDefault() is { } allowed)
            {
                target.Enum = [.. allowed.Allowed.Values.Select(v => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(v))];
            }

            if (rules.OfType<IBetweenValidator>().FirstOrDefault() is { } between)
            {
                (target.Minimum, target.Maximum) = (Number(between.From), Number(between.To));
            }

            foreach (var comparison in rules.OfType<IComparisonValidator>().Where(c => c.ValueToCompare is not null))
            {
                switch (comparison.Comparison)
                {
                    case Comparison.LessThanOrEqual:
                        target.Maximum = Number(comparison.ValueToCompare);
                        break;
                    case Comparison.GreaterThanOrEqual:
                        target.Minimum = Number(comparison.ValueToCompare);
                        break;
                }
            }
        }

        schema.Required = required;
        return Task.CompletedTask;
    }

    private static string? Number(object? value) => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
}
