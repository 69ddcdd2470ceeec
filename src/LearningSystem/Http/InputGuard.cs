namespace LearningSystem.Http;

/// <summary>
/// Route and query values pass the same rule as body text (<see cref="TextInput"/>), and the empty UUID
/// names nothing on any route, before an endpoint runs.
/// </summary>
public static class InputGuard
{
    public static async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        foreach (var (name, values) in context.Request.Query)
        {
            foreach (var value in values)
            {
                if (value is not null && TextInput.Refusal(value) is { } refusal)
                {
                    await ProblemResponse.WriteFieldAsync(context, name, refusal);
                    return;
                }
            }
        }

        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is not string text)
            {
                continue;
            }

            if (TextInput.Refusal(text) is { } refusal)
            {
                await ProblemResponse.WriteFieldAsync(context, name, refusal);
                return;
            }

            if (Guid.TryParse(text, out var id) && id == Guid.Empty)
            {
                await ProblemResponse.WriteAsync(context, StatusCodes.Status404NotFound, ProblemExceptionHandler.Title(404), CommandInput.EmptyId);
                return;
            }
        }

        await next(context);
    }
}
