namespace HospitalIntegration;

/// <summary>
/// A ward kiosk's integration: record a patient's feedback (safe to retry), read it back, and listen for decisions.
/// <c>dotnet run --project samples/HospitalIntegration -- [base address] [api key] [organisation]</c>
/// </summary>
/// <remarks>Not top-level statements: with ASP.NET Core referenced they would make a public Program, beside the service's.</remarks>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var baseAddress = new Uri(args.Length > 0 ? args[0] : "http://localhost:5080");
        using var http = new HttpClient { BaseAddress = baseAddress };
        return await Kiosk.RunAsync(http, args.Length > 1 ? args[1] : "local-development-key", args.Length > 2 ? args[2] : null, Console.Out, Console.Error);
    }
}
