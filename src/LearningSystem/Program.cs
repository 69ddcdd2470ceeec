using JasperFx;
using LearningSystem.Access;
using LearningSystem.Audit;
using LearningSystem.Explorer;
using LearningSystem.Hosting;
using LearningSystem.Notifications;
using LearningSystem.PersonalData;

var builder = WebApplication.CreateBuilder(args);
try
{
    return await RunAsync(builder, args);
}
catch (Exception e) when (Startup.Explain(e, builder.Configuration) is { } line)
{
    // One clear line a person can act on, not a stack trace.
    await Console.Error.WriteLineAsync(line);
    return 1;
}

static async Task<int> RunAsync(WebApplicationBuilder builder, string[] args)
{
    builder.AddApi();
    builder.AddAccess();
    builder.AddTelemetry();
    builder.AddNotifications();
    builder.AddPersonalData();
    builder.AddAudit();
    builder.AddExplorer();
    await builder.AddEventStoreAsync();

    // A leading bare word is a JasperFx command (db-apply, projections, rotate-master-key ...). Anything else,
    // such as --urls, is a host option the builder has read already, and the service simply runs.
    if (args is ["describe", ..])
    {
        // It prints the configuration; the other commands need the real keys.
        Startup.RedactSecrets(builder.Configuration);
    }

    var app = builder.Build();
    app.UseApi();
    app.UseExplorer();
    if (args is [var first, ..] && !first.StartsWith('-'))
    {
        return await app.RunJasperFxCommands(args);
    }

    await app.RunAsync();
    return 0;
}

/// <summary>Visible to the tests, which host the service in memory.</summary>
public partial class Program;
