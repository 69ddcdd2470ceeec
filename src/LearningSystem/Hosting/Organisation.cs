using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;

namespace LearningSystem.Hosting;

/// <summary>
/// Every request acts for one organisation, which is the Marten tenant. A client names it in a header, among
/// the organisations it is granted (see <c>Access/AccessModule</c>).
/// </summary>
public static partial class Organisation
{
    public const string Header = "X-Organisation";
    public const string Default = "local";

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$", RegexOptions.IgnoreCase)]
    private static partial Regex Valid();

    public static bool IsValid(string name) => Valid().IsMatch(name);

    /// <summary>Refuses a malformed organisation name before it can reach storage.</summary>
    public static async Task RequireValidHeader(HttpContext context, RequestDelegate next)
    {
        var value = context.Request.Headers[Header].ToString();
        if (value.Length == 0 || Valid().IsMatch(value))
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ValidationProblemDetails(new Dictionary<string, string[]>
            {
                [Header] = ["Use 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit."],
            })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The organisation header is invalid.",
            },
        });
    }
}
