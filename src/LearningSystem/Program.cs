using JasperFx;
using LearningSystem.Access;
using LearningSystem.Audit;
using LearningSystem.Hosting;
using LearningSystem.LocalPostgres;
using LearningSystem.Notifications;
using LearningSystem.PersonalData;

var builder = WebApplication.CreateBuilder(args);
builder.AddApi();
builder.AddAccess();
builder.AddTelemetry();
builder.AddNotifications();
builder.AddPersonalData();
builder.AddAudit();
try
{
    await builder.AddEventStoreAsync();
}
catch (PostgresNotAvailableException e)
{
    // One clear line a new user can act on, not a stack trace.
    await Console.Error.WriteLineAsync(e.Message);
    return 1;
}

// A leading bare word is a JasperFx command (db-apply, projections, rotate-master-key ...). Anything else,
// such as --urls, is a host option the builder has read already, and the service simply runs.
var isCommand = args is [var first, ..] && !first.StartsWith('-');
if (args is ["describe", ..])
{
    // It prints the configuration; the other commands need the real keys.
    Startup.RedactSecrets(builder.Configuration);
}

var app = builder.Build();
app.UseApi();
if (isCommand)
{
    return await app.RunJasperFxCommands(args);
}

try
{
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (Startup.Explain(e, builder.Configuration) is { } line)
{
    await Console.Error.WriteLineAsync(line);
    return 1;
}

/// <summary>Visible to the tests, which host the service in memory.</summary>
public partial class Program;
