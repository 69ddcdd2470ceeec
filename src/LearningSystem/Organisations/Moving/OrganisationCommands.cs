using JasperFx.CommandLine;
using LearningSystem.Operations;
using LearningSystem.Organisations.Databases;
using Npgsql;

namespace LearningSystem.Organisations.Moving;

public sealed class OrganisationDatabaseInput : NetCoreInput
{
    [Description("The organisation, as clients name it in X-Organisation")]
    public string Organisation { get; set; } = "";

    [Description("A connection string to the organisation's own database, which must exist (on any server)")]
    public string ConnectionString { get; set; } = "";

    private const string Named = "the organisation's connection string";

    /// <summary>
    /// The organisation's database reached before anything else, so that a failure there is named as its own, in
    /// one line on standard error, not as the shared database's; false when it could not be.
    /// </summary>
    public async Task<bool> ReachableAsync()
    {
        string problem;
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (ArgumentException e)
        {
            problem = $"{char.ToUpperInvariant(Named[0])}{Named[1..]} is not a PostgreSQL connection string ({e.Message.Split('\n')[0].TrimEnd('.')}).";
        }
        catch (Exception e) when (Startup.Explain(e, Named, ConnectionString) is { } line)
        {
            problem = line;
        }

        await Console.Error.WriteLineAsync(problem);
        return false;
    }
}

/// <summary><c>move-organisation st-marys "Host=…;Database=st_marys"</c>: see <see cref="OrganisationMover.MoveAsync"/>.</summary>
[Description("Moves an organisation from the shared database into a database of its own", Name = "move-organisation")]
public sealed class MoveOrganisationCommand : JasperFxAsyncCommand<OrganisationDatabaseInput>
{
    public override async Task<bool> Execute(OrganisationDatabaseInput input)
    {
        if (!await input.ReachableAsync())
        {
            return false;
        }

        using var host = input.BuildHost();
        try
        {
            var report = await host.Services.GetRequiredService<OrganisationMover>().MoveAsync(input.Organisation, input.ConnectionString, CancellationToken.None);
            Console.WriteLine(report.Resumed && report.Events == 0
                ? $"Finished moving {report.Organisation} to {report.Database}: its rows left the shared database in {report.SharedPausedSeconds} s."
                : $"Moved {report.Organisation} to {report.Database}{(report.Resumed ? " (its copy was made by an earlier run)" : "")}: {report.Events} events, {report.Rows} rows in {report.Seconds} s; "
                  + $"its commands waited {report.WritesStoppedSeconds} s, and appends to the shared database {report.SharedPausedSeconds} s.");
            return true;
        }
        catch (MoveRefused refused)
        {
            await Console.Error.WriteLineAsync(refused.Message);
            return false;
        }
    }
}

/// <summary><c>add-organisation st-lukes "Host=…;Database=st_lukes"</c>: a new organisation in a database of its own, while the service runs.</summary>
[Description("Places a new organisation in a database of its own", Name = "add-organisation")]
public sealed class AddOrganisationCommand : JasperFxAsyncCommand<OrganisationDatabaseInput>
{
    public override async Task<bool> Execute(OrganisationDatabaseInput input)
    {
        if (!await input.ReachableAsync())
        {
            return false;
        }

        using var host = input.BuildHost();
        try
        {
            await host.Services.GetRequiredService<OrganisationMover>().AddAsync(input.Organisation, input.ConnectionString, CancellationToken.None);
            Console.WriteLine($"{input.Organisation} now lives in {OrganisationDatabases.IdentifierOf(input.ConnectionString)}.");
            return true;
        }
        catch (MoveRefused refused)
        {
            await Console.Error.WriteLineAsync(refused.Message);
            return false;
        }
    }
}
