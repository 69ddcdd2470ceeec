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

var app = builder.Build();
app.UseApi();
// A leading bare word is a JasperFx command (db-apply, projections, rotate-master-key ...). Anything else,
// such as --urls, is a host option the builder has read already, and the service simply runs.
if (args is [var command, ..] && !command.StartsWith('-'))
{
    return await app.RunJasperFxCommands(args);
}

await app.RunAsync();
return 0;

/// <summary>Visible to the tests, which host the service in memory.</summary>
public partial class Program;
