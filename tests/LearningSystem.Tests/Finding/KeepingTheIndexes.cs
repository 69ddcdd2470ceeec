using LearningSystem.Finding;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LearningSystem.Tests.Finding;

/// <summary>The indexes finding relies on exist, and the queries are written so that PostgreSQL can answer them from those indexes.</summary>
[Collection(ServiceGroup.Name)]
public sealed class KeepingTheIndexes(ServiceFixture service)
{
    [Fact]
    public async Task Every_searchable_view_has_its_words_index_and_a_search_is_answered_from_it()
    {
        var options = service.Host.Services.GetRequiredService<IDocumentStore>().Options;
        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        var indexes = new List<string>();
        await using (var command = new NpgsqlCommand($"select indexname from pg_indexes where schemaname = '{options.DatabaseSchemaName}'", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                indexes.Add(reader.GetString(0));
            }
        }

        Assert.All(["mt_events_acting_participant", "mt_events_acting_group", "mt_events_acting_group_amendments"], name => Assert.Contains(name, indexes));
        foreach (var searchable in FindingModule.Searchable)
        {
            var table = searchable.Table(options, false);
            Assert.Contains($"{table}_words", indexes);

            // A small table is scanned whatever the indexes; with scans off, the plan shows whether the index matches the query's expression.
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var off = new NpgsqlCommand("set local enable_seqscan = off", connection, transaction))
            {
                await off.ExecuteNonQueryAsync();
            }

            var sql = $"explain select d.id from {options.DatabaseSchemaName}.{table} d where {searchable.Matches()}".Replace("?", "'waits'", StringComparison.Ordinal);
            await using var explain = new NpgsqlCommand(sql, connection, transaction);
            var plan = string.Join('\n', await ReadAllAsync(explain));
            Assert.Contains($"{table}_words", plan, StringComparison.Ordinal);
        }
    }

    private static async Task<List<string>> ReadAllAsync(NpgsqlCommand command)
    {
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }
}
