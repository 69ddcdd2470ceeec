using JasperFx;
using LearningSystem.Composition;
using LearningSystem.Operations;

var builder = WebApplication.CreateBuilder(args);
// Nothing is printed until the service has started or a command has succeeded: a failure a person can act on
// is one line, never the log and traces that led to it.
var output = new StartupOutput();
try
{
    return await RunAsync(builder, args, output);
}
catch (Exception e) when (Startup.Explain(e, builder.Configuration) is { } line)
{
    output.Silence();
    await Console.Error.WriteLineAsync(line);
    return 1;
}
catch
{
    // A real fault keeps its trace, after the log that led to it.
    output.Release();
    throw;
}

static async Task<int> RunAsync(WebApplicationBuilder builder, string[] args, StartupOutput output)
{
    builder.Services.AddSingleton(output);
    await builder.AddEveryModuleAsync(output);

    // A leading bare word is a JasperFx command (db-apply, projections, rotate-master-key ...). Anything else,
    // such as --urls, is a host option the builder has read already, and the service simply runs.
    if (args is ["describe", ..])
    {
        // It prints the configuration; the other commands need the real keys.
        Startup.RedactSecrets(builder.Configuration);
    }

    output.HoldConsoleLog(builder.Services);
    var app = builder.Build();
    app.UseEveryModule();
    if (args is [var first, ..] && !first.StartsWith('-'))
    {
        return await output.RunCommandAsync(() => app.RunJasperFxCommands(args), builder.Configuration);
    }

    app.Lifetime.ApplicationStarted.Register(output.Release);
    await app.RunAsync();
    return 0;
}

/// <summary>Visible to the tests, which host the service in memory.</summary>
public partial class Program;
