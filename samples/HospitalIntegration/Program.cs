using HospitalIntegration;

// A ward kiosk's integration: record a patient's feedback (safe to retry), read it back, and listen for decisions.
// dotnet run --project samples/HospitalIntegration -- [base address] [api key] [organisation]
var baseAddress = new Uri(args.Length > 0 ? args[0] : "http://localhost:5080");
using var http = new HttpClient { BaseAddress = baseAddress };
return await Kiosk.RunAsync(http, args.Length > 1 ? args[1] : "local-development-key", args.Length > 2 ? args[2] : null, Console.Out, Console.Error);
