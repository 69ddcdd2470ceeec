using System.Diagnostics;
using JasperFx.CommandLine;
using LearningSystem.Audit;
using LearningSystem.Audit.Checkpoints;
using LearningSystem.Audit.Verifying;
using LearningSystem.Hosting;
using Marten;
using Marten.Storage;
using Npgsql;
using Wolverine.Persistence.Durability;

namespace LearningSystem.Organisations;

/// <summary>A move or an addition that would lose or mix data, refused before anything changed.</summary>
public sealed class MoveRefused(string message) : Exception(message);

/// <summary>What a move did; <see cref="Resumed"/> when it finished one that had stopped part way.</summary>
public sealed record MoveReport(
    string Organisation, string Database, long Events, long Rows, double Seconds, double WritesStoppedSeconds, double SharedPausedSeconds, bool Resumed);

/// <summary>
/// Places organisations in databases of their own, under database-per-organisation tenancy: a new one before
/// its first event, or one that lives in the shared database with everything it has. One move or addition of
/// an organisation runs at a time, on any machine, and a move stopped part way (a crash, a lost connection) is
/// finished by running it again.
/// </summary>
public sealed class OrganisationMover(IDocumentStore store, ChainVerifier verifier, IMessageStore messages)
{
    private string Schema => store.Options.DatabaseSchemaName;

    private OrganisationDatabases Tenancy =>
        store.Options.Tenancy as OrganisationDatabases
        ?? throw new MoveRefused($"Organisations get databases of their own only with {OrganisationDatabases.Setting}={OrganisationDatabases.DatabasePerOrganisation}.");

    /// <summary>A new organisation, with nothing yet in the shared database, placed in the database of <paramref name="connectionString"/>.</summary>
    public async Task AddAsync(string organisation, string connectionString, CancellationToken ct)
    {
        var (tenancy, target) = await PrepareAsync(organisation, connectionString, ct);
        await using var source = tenancy.Shared.CreateConnection();
        await source.OpenAsync(ct);
        await using var _ = await LockAsync(source, organisation, ct);
        if (await tenancy.RegisteredAsync(organisation) is { } registered)
        {
            throw new MoveRefused($"{organisation} already lives in {OrganisationDatabases.IdentifierOf(registered)}.");
        }

        if (await HoldsAsync(source, organisation, ct))
        {
            throw new MoveRefused($"{organisation} already has events in the shared database; move it (move-organisation) instead.");
        }

        await tenancy.RegisterAsync(organisation, connectionString);
    }

    /// <summary>
    /// Moves an organisation out of the shared database, rows unchanged (sequence numbers included, so that its
    /// hash chain and every checkpoint made before the move still verify):
    /// <list type="number">
    /// <item>the target gets the schema; its chain is verified in the shared database, or nothing happens;</item>
    /// <item>its appends in the shared database are refused from here on, and those under way are waited for;</item>
    /// <item>every row of it is copied in one transaction, and the copy's chain is verified against the
    /// checkpoints before that transaction commits;</item>
    /// <item>the master table names its new database, for every node at once;</item>
    /// <item>its rows leave the shared database (subject keys among them, so that an erasure leaves no copy).</item>
    /// </list>
    /// Its reads go on answering throughout; its commands answer 503 from step 2 to step 4. Run again after
    /// stopping between steps, it finds where the last run got to: a copy made under the guard (step 3 done,
    /// step 4 not) still equals the shared rows, which no append could change since, so it is verified and kept.
    /// </summary>
    public async Task<MoveReport> MoveAsync(string organisation, string connectionString, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var (tenancy, target) = await PrepareAsync(organisation, connectionString, ct);
        var name = tenancy.NameOf(target);
        await using var source = tenancy.Shared.CreateConnection();
        await source.OpenAsync(ct);
        await using var destination = target.CreateConnection();
        await destination.OpenAsync(ct);
        await using var _ = await LockAsync(source, organisation, ct);
        if (await tenancy.RegisteredAsync(organisation) is { } registered)
        {
            if (OrganisationDatabases.IdentifierOf(registered) != name)
            {
                throw new MoveRefused($"{organisation} already lives in {OrganisationDatabases.IdentifierOf(registered)}.");
            }

            // An earlier run named the new database and stopped before the shared rows were gone.
            var paused = await ForgetInSharedAsync(source, organisation, ct);
            return new MoveReport(organisation, name, 0, 0, Math.Round(watch.Elapsed.TotalSeconds, 3), 0, paused, Resumed: true);
        }

        IReadOnlyList<AuditCheckpoint> checkpoints;
        await using (var session = store.QuerySession(organisation))
        {
            checkpoints = await session.Chained().ToListAsync(ct);
        }

        var before = await verifier.VerifyAsync(source, Schema, organisation, null, checkpoints, inOpenTransaction: false, ct);
        if (!before.Intact)
        {
            throw new MoveRefused($"The audit chain of {organisation} does not verify in the shared database ({before.FirstBroken?.Problem}); nothing was moved.");
        }

        var stopped = Stopwatch.StartNew();
        var resumed = await HoldsAsync(destination, organisation, ct);
        long rows, events;
        if (resumed)
        {
            var guarded = (bool)(await Sql.ScalarAsync(source, $"select exists (select 1 from {Schema}.{MovedOrganisationsFeature.Table} where tenant_id = @p0)", ct, organisation))!;
            var copy = await verifier.VerifyAsync(destination, Schema, organisation, null, checkpoints, inOpenTransaction: false, ct);
            if (!guarded || !copy.Intact || copy.EventsChecked != before.EventsChecked)
            {
                throw new MoveRefused($"{name} already holds events of {organisation} that are not a finished copy of its shared rows; nothing was moved.");
            }

            (rows, events) = (0, copy.EventsChecked);
        }
        else
        {
            await Sql.ExecuteAsync(source, $"insert into {Schema}.{MovedOrganisationsFeature.Table} (tenant_id, moved_to) values (@p0, @p1) on conflict (tenant_id) do update set moved_to = excluded.moved_to, moved_at = now()",
                ct, organisation, name);
            // A SHARE lock waits for every transaction still appending (any organisation's: a moment), and the
            // guard row is visible to each append after it.
            await Sql.ExecuteAsync(source, $"begin; lock table {Schema}.mt_events in share mode; commit;", ct);
            try
            {
                (rows, events) = await CopyAsync(source, destination, organisation, checkpoints, ct);
            }
            catch (MoveRefused)
            {
                // The copy did not verify and was rolled back: the organisation goes on in the shared database. After
                // any other failure the guard stays, and the organisation's commands wait until the move is run again.
                await Sql.ExecuteAsync(source, $"delete from {Schema}.{MovedOrganisationsFeature.Table} where tenant_id = @p0", CancellationToken.None, organisation);
                throw;
            }
        }

        await tenancy.RegisterAsync(organisation, connectionString);
        var writesStopped = stopped.Elapsed.TotalSeconds;
        var sharedPaused = await ForgetInSharedAsync(source, organisation, ct);
        return new MoveReport(organisation, name, events, rows, Math.Round(watch.Elapsed.TotalSeconds, 3), Math.Round(writesStopped, 3), sharedPaused, resumed);
    }

    /// <summary>
    /// The organisation's checkpoint lock, held on <paramref name="source"/> until disposed: one move or addition of
    /// it at a time, and no checkpoint of it meanwhile (Checkpointing takes the same lock in each transaction).
    /// </summary>
    private static async Task<IAsyncDisposable> LockAsync(NpgsqlConnection source, string organisation, CancellationToken ct)
    {
        var key = $"learningsystem-checkpoint:{organisation}";
        await Sql.ExecuteAsync(source, "select pg_advisory_lock(hashtext(@p0))", ct, key);
        return new Unlock(source, key);
    }

    private sealed class Unlock(NpgsqlConnection source, string key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            await Sql.ExecuteAsync(source, "select pg_advisory_unlock(hashtext(@p0))", CancellationToken.None, key);
    }

    /// <summary>Checks the names, and gives the target Marten's schema, the chain's and the guard's triggers, and Wolverine's envelope tables.</summary>
    private async Task<(OrganisationDatabases Tenancy, MartenDatabase Target)> PrepareAsync(string organisation, string connectionString, CancellationToken ct)
    {
        var tenancy = Tenancy;
        if (!Organisation.IsValid(organisation))
        {
            throw new MoveRefused($"'{organisation}' is not an organisation name: use 1 to 63 letters, digits, '.', '_' or '-'.");
        }

        var target = tenancy.DatabaseFor(connectionString);
        if (ReferenceEquals(target, tenancy.Shared))
        {
            throw new MoveRefused("That is the shared database; name a database of the organisation's own.");
        }

        await target.ApplyAllConfiguredChangesToDatabaseAsync(ct: ct);
        // The outbox writes envelopes in the same transaction as the events, so the tables must be there first.
        if (messages is MultiTenantedMessageStore tenanted)
        {
            await tenanted.Source.FindAsync(tenancy.NameOf(target));
        }

        return (tenancy, target);
    }

    /// <summary>Copies every row of the organisation as one snapshot of the shared database saw them; answers the rows and the events copied.</summary>
    private async Task<(long Rows, long Events)> CopyAsync(
        NpgsqlConnection source, NpgsqlConnection destination, string organisation, IReadOnlyList<AuditCheckpoint> checkpoints, CancellationToken ct)
    {
        var tables = await TablesAsync(source, ct);
        await using var reading = await source.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using var writing = await destination.BeginTransactionAsync(ct);
        // The snapshot starts here. Appends acknowledged after the chain was first verified, and before the guard,
        // are in it: the copy is checked against this count, not the count verified before.
        var events = Convert.ToInt64(await Sql.ScalarAsync(source, $"select count(*) from {Schema}.mt_events where tenant_id = @p0", ct, organisation), System.Globalization.CultureInfo.InvariantCulture);
        long rows = 0;
        // Streams before their events (a foreign key), events in sequence order (each link is made from the one before).
        // The name is checked by Organisation.IsValid, and quoted: COPY takes no parameters.
        var literal = $"'{organisation.Replace("'", "''", StringComparison.Ordinal)}'";
        foreach (var (table, columns) in tables.OrderBy(t => t.Table switch { "mt_streams" => 0, "mt_events" => 1, _ => 2 }).ThenBy(t => t.Table, StringComparer.Ordinal))
        {
            var order = table == "mt_events" ? " order by seq_id" : "";
            // A pending idempotency claim is a request whose append had not committed when the appends were stopped
            // (one that had would have answered the claim in its own transaction): it is refused, and its retry must
            // find the key free in the new database, not wait for a claim nobody there will answer.
            var only = table == store.Options.Schema.For<IdempotentRequest>(qualified: false) ? " and data ->> 'status' is not null" : "";
            await using (var from = await source.BeginRawBinaryCopyAsync($"copy (select {columns} from {Schema}.{table} where tenant_id = {literal}{only}{order}) to stdout (format binary)", ct))
            await using (var to = await destination.BeginRawBinaryCopyAsync($"copy {Schema}.{table} ({columns}) from stdin (format binary)", ct))
            {
                await from.CopyToAsync(to, ct);
            }

            rows += Convert.ToInt64(await Sql.ScalarAsync(destination, $"select count(*) from {Schema}.{table} where tenant_id = @p0", ct, organisation), System.Globalization.CultureInfo.InvariantCulture);
        }

        // New events in this database follow the copied ones.
        await Sql.ExecuteAsync(destination, $"select setval('{Schema}.mt_events_sequence', greatest((select coalesce(max(seq_id), 1) from {Schema}.mt_events), (select last_value from {Schema}.mt_events_sequence)))", ct);
        // The copy's links are made again by the chain's trigger; they must come out as they were.
        var after = await verifier.VerifyAsync(destination, Schema, organisation, null, checkpoints, inOpenTransaction: true, ct);
        if (!after.Intact || after.EventsChecked != events)
        {
            throw new MoveRefused($"The copy of {organisation} did not verify ({after.FirstBroken?.Problem ?? $"{after.EventsChecked} events of {events}"}); nothing was moved.");
        }

        await writing.CommitAsync(ct);
        await reading.CommitAsync(ct);
        return (rows, events);
    }

    /// <summary>
    /// The organisation's rows leave the shared database, events too: only the tables' owner may lift the
    /// append-only guard, and only in this transaction. Lifting it locks the event table, so every organisation's
    /// appends there wait for this transaction; answers how long it took.
    /// </summary>
    private async Task<double> ForgetInSharedAsync(NpgsqlConnection source, string organisation, CancellationToken ct)
    {
        var tables = await TablesAsync(source, ct);
        var watch = Stopwatch.StartNew();
        await using var transaction = await source.BeginTransactionAsync(ct);
        await Sql.ExecuteAsync(source, $"alter table {Schema}.mt_events disable trigger mt_events_append_only", ct);
        foreach (var (table, _) in tables.OrderBy(t => t.Table switch { "mt_events" => 0, "mt_streams" => 1, _ => 2 }))
        {
            await Sql.ExecuteAsync(source, $"delete from {Schema}.{table} where tenant_id = @p0", ct, organisation);
        }

        await Sql.ExecuteAsync(source, $"alter table {Schema}.mt_events enable trigger mt_events_append_only", ct);
        await transaction.CommitAsync(ct);
        return Math.Round(watch.Elapsed.TotalSeconds, 3);
    }

    /// <summary>Every table of the schema with an organisation's rows in it, and its columns.</summary>
    private async Task<IReadOnlyList<(string Table, string Columns)>> TablesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            select c.table_name::text, string_agg(quote_ident(c.column_name::text), ', ' order by c.ordinal_position)
            from information_schema.columns c
            join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
            where c.table_schema = @schema and c.is_generated = 'NEVER'
              and exists (select 1 from information_schema.columns k where k.table_schema = c.table_schema and k.table_name = c.table_name and k.column_name = 'tenant_id')
              and c.table_name not in ('mt_tenant_databases', @guard) and c.table_name not like 'wolverine%'
            group by c.table_name
            """, connection);
        command.Parameters.AddWithValue("schema", Schema);
        command.Parameters.AddWithValue("guard", MovedOrganisationsFeature.Table);
        var tables = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            tables.Add((reader.GetString(0), reader.GetString(1)));
        }

        return tables;
    }

    private async Task<bool> HoldsAsync(NpgsqlConnection connection, string organisation, CancellationToken ct) =>
        (bool)(await Sql.ScalarAsync(connection, $"select exists (select 1 from {Schema}.mt_streams where tenant_id = @p0)", ct, organisation))!;
}

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
