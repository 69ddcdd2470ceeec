using JasperFx;
using LearningSystem.Hosting;
using LearningSystem.LocalPostgres;
using LearningSystem.PersonalData;

var builder = WebApplication.CreateBuilder(args);
builder.AddApi();
builder.AddPersonalData();
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
// Host options such as --urls were read by the builder already; only a leading bare word is a
// JasperFx command (db-apply, projections, codegen, openapi ...).
return await app.RunJasperFxCommands(args is [var first, ..] && !first.StartsWith('-') ? args : []);

/// <summary>Visible to the tests, which host the service in memory.</summary>
public partial class Program;
