using System.Diagnostics;
using LearningSystem.Audit.Checkpoints;
using LearningSystem.Audit.Verifying;
using Marten;
using Marten.Storage;
using Npgsql;
using Wolverine.Persistence.Durability;
using LearningSystem.Http.Idempotency;
using LearningSystem.Organisations.Databases;
using LearningSystem.Storage;

namespace LearningSystem.Organisations.Moving;

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

    private OrganisationRows Rows => new(Schema, store.Options.Schema.For<IdempotentRequest>(qualified: false));

    private OrganisationDatabases Tenancy =>
        store.Options.Tenancy as OrganisationDatabases
        ?? throw new MoveRefused($"Organisations get databases of their own only with {OrganisationDatabases.Setting}={OrganisationDatabases.DatabasePerOrganisation}.");

    /// <summary>A new organisation, with nothing yet in the shared database, placed in the database of <paramref name="connectionString"/>.</summary>
    public async Task AddAsync(string organisation, string connectionString, CancellationToken ct)
    {
        var (tenancy, target) = await PrepareAsync(organisation, connectionString, ct);
        await using var source = tenancy.Shared.CreateConnection();
        await source.OpenAsync(ct);
        await using var _ = await MoveLock.TakeAsync(source, organisation, ct);
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
        await using var _ = await MoveLock.TakeAsync(source, organisation, ct);
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
        var tables = await Rows.TablesAsync(source, ct);
        await using var reading = await source.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using var writing = await destination.BeginTransactionAsync(ct);
        // The snapshot starts here. Appends acknowledged after the chain was first verified, and before the guard,
        // are in it: the copy is checked against this count, not the count verified before.
        var events = await Rows.CountEventsAsync(source, organisation, ct);
        var rows = await Rows.CopyAsync(source, destination, organisation, tables, ct);
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
        var tables = await Rows.TablesAsync(source, ct);
        var watch = Stopwatch.StartNew();
        await using var transaction = await source.BeginTransactionAsync(ct);
        await Sql.ExecuteAsync(source, $"alter table {Schema}.mt_events disable trigger mt_events_append_only", ct);
        await Rows.DeleteAsync(source, organisation, tables, ct);

        await Sql.ExecuteAsync(source, $"alter table {Schema}.mt_events enable trigger mt_events_append_only", ct);
        await transaction.CommitAsync(ct);
        return Math.Round(watch.Elapsed.TotalSeconds, 3);
    }

    private async Task<bool> HoldsAsync(NpgsqlConnection connection, string organisation, CancellationToken ct) =>
        (bool)(await Sql.ScalarAsync(connection, $"select exists (select 1 from {Schema}.mt_streams where tenant_id = @p0)", ct, organisation))!;
}
