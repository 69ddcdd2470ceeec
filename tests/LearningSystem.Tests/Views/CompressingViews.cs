using Marten;
using Microsoft.Extensions.DependencyInjection;
using LearningSystem.Storage;

namespace LearningSystem.Tests.Views;

/// <summary>Views' JSON is compressed with lz4 (see <see cref="ViewCompression"/>); a table set back is set again when the schema is next applied.</summary>
[Collection(ServiceGroup.Name)]
public sealed class CompressingViews(ServiceFixture service)
{
    [Fact]
    public async Task Every_view_compresses_with_lz4_and_a_table_set_back_is_set_again()
    {
        var store = service.Host.Services.GetRequiredService<IDocumentStore>();
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        async Task<Dictionary<string, string>> CompressionAsync() => (await Sql.ListAsync<string>(connection, $"""
            select c.relname || ' ' || coalesce(nullif(a.attcompression::text, ''), 'default') from pg_attribute a join pg_class c on c.oid = a.attrelid
            join pg_namespace n on n.oid = c.relnamespace where n.nspname = '{EventStore.Schema}' and c.relkind = 'r' and c.relname like 'mt\_doc\_%' and a.attname = 'data'
            """, CancellationToken.None)).Select(r => r.Split(' ')).ToDictionary(r => r[0], r => r[1]);

        var before = await CompressionAsync();
        Assert.Contains("mt_doc_priority", before.Keys);
        Assert.All(before, t => Assert.Equal("l", t.Value));

        await Sql.ExecuteAsync(connection, $"alter table {EventStore.Schema}.mt_doc_round alter column data set compression pglz", CancellationToken.None);
        Assert.Equal("p", (await CompressionAsync())["mt_doc_round"]);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

        Assert.All(await CompressionAsync(), t => Assert.Equal("l", t.Value));
    }
}
