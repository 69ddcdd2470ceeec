using System.Globalization;
using LearningSystem.Storage;
using Npgsql;

namespace LearningSystem.Organisations.Moving;

/// <summary>
/// Raw table copying: an organisation's rows in every table of the schema that has a <c>tenant_id</c>, copied
/// unchanged with binary COPY, or deleted. The caller holds the transactions.
/// </summary>
public sealed class OrganisationRows(string schema, string idempotencyTable)
{
    /// <summary>Every table of the schema with an organisation's rows in it, and its columns.</summary>
    public async Task<IReadOnlyList<(string Table, string Columns)>> TablesAsync(NpgsqlConnection connection, CancellationToken ct)
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
        command.Parameters.AddWithValue("schema", schema);
        command.Parameters.AddWithValue("guard", MovedOrganisationsFeature.Table);
        var tables = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            tables.Add((reader.GetString(0), reader.GetString(1)));
        }

        return tables;
    }

    public async Task<long> CountEventsAsync(NpgsqlConnection connection, string organisation, CancellationToken ct) =>
        Convert.ToInt64(await Sql.ScalarAsync(connection, $"select count(*) from {schema}.mt_events where tenant_id = @p0", ct, organisation), CultureInfo.InvariantCulture);

    /// <summary>Copies every row of <paramref name="organisation"/> from <paramref name="source"/> to <paramref name="destination"/>; answers the rows copied.</summary>
    public async Task<long> CopyAsync(
        NpgsqlConnection source, NpgsqlConnection destination, string organisation, IReadOnlyList<(string Table, string Columns)> tables, CancellationToken ct)
    {
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
            var only = table == idempotencyTable ? " and data ->> 'status' is not null" : "";
            // The copied events' sealing was asserted when they were first written; their keys come later in the copy.
            if (table == "mt_events")
            {
                await Sql.ExecuteAsync(destination, $"alter table {schema}.mt_events disable trigger {PersonalData.KeyLiveness.SealedUnder.Trigger}", ct);
            }

            await using (var from = await source.BeginRawBinaryCopyAsync($"copy (select {columns} from {schema}.{table} where tenant_id = {literal}{only}{order}) to stdout (format binary)", ct))
            await using (var to = await destination.BeginRawBinaryCopyAsync($"copy {schema}.{table} ({columns}) from stdin (format binary)", ct))
            {
                await from.CopyToAsync(to, ct);
            }

            if (table == "mt_events")
            {
                await Sql.ExecuteAsync(destination, $"alter table {schema}.mt_events enable trigger {PersonalData.KeyLiveness.SealedUnder.Trigger}", ct);
            }

            rows += Convert.ToInt64(await Sql.ScalarAsync(destination, $"select count(*) from {schema}.{table} where tenant_id = @p0", ct, organisation), CultureInfo.InvariantCulture);
        }

        // New events in this database follow the copied ones.
        await Sql.ExecuteAsync(destination, $"select setval('{schema}.mt_events_sequence', greatest((select coalesce(max(seq_id), 1) from {schema}.mt_events), (select last_value from {schema}.mt_events_sequence)))", ct);
        return rows;
    }

    /// <summary>Deletes every row of <paramref name="organisation"/>, events first (they refer to their streams).</summary>
    public async Task DeleteAsync(NpgsqlConnection connection, string organisation, IReadOnlyList<(string Table, string Columns)> tables, CancellationToken ct)
    {
        foreach (var (table, _) in tables.OrderBy(t => t.Table switch { "mt_events" => 0, "mt_streams" => 1, _ => 2 }))
        {
            await Sql.ExecuteAsync(connection, $"delete from {schema}.{table} where tenant_id = @p0", ct, organisation);
        }
    }
}
