using FluentValidation;
using FluentValidation.Validators;

namespace LearningSystem.Http;

/// <summary>The values a wire enum allows: one validator rule, and the same list as the OpenAPI document's <c>enum</c>.</summary>
public sealed record AllowedValues(IReadOnlyList<string> Values, Func<string?, bool> IsAllowed, string Message);

/// <summary>Marks a validator whose property takes only <see cref="AllowedValues.Values"/>, for the document to list.</summary>
public interface IAllowedValuesValidator
{
    AllowedValues Allowed { get; }
}

public sealed class AllowedValuesValidator<T>(AllowedValues allowed) : PropertyValidator<T, string?>, IAllowedValuesValidator
{
    public AllowedValues Allowed => allowed;

    public override string Name => "AllowedValuesValidator";

    public override bool IsValid(ValidationContext<T> context, string? value) => allowed.IsAllowed(value);

    protected override string GetDefaultMessageTemplate(string errorCode) => allowed.Message;
}

public static class AllowedValuesRule
{
    /// <summary>The value must be one of <paramref name="allowed"/>; the message names them all.</summary>
    public static IRuleBuilderOptions<T, string?> OneOf<T>(this IRuleBuilder<T, string?> rule, AllowedValues allowed) =>
        rule.SetValidator(new AllowedValuesValidator<T>(allowed));
}
