using System.Collections.Concurrent;
using JasperFx.Descriptors;
using Marten;
using Marten.Schema;
using Marten.Storage;
using Npgsql;
using Weasel.Core.Migrations;
using Weasel.Postgresql;
using LearningSystem.Operations;
using LearningSystem.Storage;


namespace LearningSystem.Organisations.Databases;

/// <summary>
/// Database-per-organisation tenancy (<c>Database:Tenancy=DatabasePerOrganisation</c>). The configured database
/// is the shared one: it holds Marten's master table of tenant databases (<c>mt_tenant_databases</c>), Wolverine's
/// node tables, and every organisation the table does not name. An organisation the table names lives in that
/// database, on whatever server it says. Within every database tenancy stays conjoined (a <c>tenant_id</c> on
/// every row), so a database can hold one organisation or several, and moving one copies its rows unchanged.
/// </summary>
/// <remarks>
/// Where an organisation lives is read from the master table whenever a session is opened for one that is not
/// known to live elsewhere: no node remembers "shared", so an organisation added or moved on one node is found
/// in its new place by every node at once. Where an organisation's own database is, once known, is kept: an
/// organisation never moves back, and a new address for its database needs the nodes restarted.
/// </remarks>
public sealed class OrganisationDatabases : ITenancy, ITenancyWithMasterDatabase, IAsyncDisposable
{
    public const string Setting = "Database:Tenancy";
    public const string Conjoined = "Conjoined";
    public const string DatabasePerOrganisation = "DatabasePerOrganisation";
    public const string SharedIdentifier = "shared";

    private readonly StoreOptions _options;
    private readonly MasterTableTenancy _master;
    private readonly NpgsqlDataSource _lookup;
    private readonly string _lookupSql;
    private readonly ConcurrentDictionary<string, MartenDatabase> _databases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Tenant> _elsewhere = new(StringComparer.Ordinal);
    private readonly string _sharedIdentity;
    private bool _masterTableReady;

    public OrganisationDatabases(StoreOptions options, string sharedConnectionString)
    {
        _options = options;
        _master = new MasterTableTenancy(options, sharedConnectionString, options.DatabaseSchemaName);
        _lookup = NpgsqlDataSource.Create(sharedConnectionString);
        _lookupSql = $"select connection_string from {options.DatabaseSchemaName}.mt_tenant_databases where tenant_id = $1 and disabled = false";
        _sharedIdentity = IdentifierOf(sharedConnectionString);
        Shared = new MartenDatabase(options, NpgsqlDataSource.Create(sharedConnectionString), SharedIdentifier);
        _databases[SharedIdentifier] = Shared;
        Default = new Tenant("*DEFAULT*", Shared);
        Cleaner = new CompositeDocumentCleaner(this, options);
    }

    /// <summary>Whether the configuration asks for this tenancy; anything but the two names is refused.</summary>
    public static bool IsChosen(IConfiguration configuration) =>
        configuration[Setting] switch
        {
            null or "" => false,
            var v when v.Equals(Conjoined, StringComparison.OrdinalIgnoreCase) => false,
            var v when v.Equals(DatabasePerOrganisation, StringComparison.OrdinalIgnoreCase) => true,
            _ => throw new SettingInvalid($"{Setting} is '{configuration[Setting]}'; use {Conjoined} (the default) or {DatabasePerOrganisation}."),
        };

    public MartenDatabase Shared { get; }
    public Tenant Default { get; }
    public IDocumentCleaner Cleaner { get; }
    public PostgresqlDatabase TenantDatabase => _master.TenantDatabase;
    public DatabaseCardinality Cardinality => DatabaseCardinality.DynamicMultiple;

    /// <summary>How a database is named among the store's: its database name and server.</summary>
    public static string IdentifierOf(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Database}@{builder.Host}:{builder.Port}";
    }

    public Tenant GetTenant(string tenantId)
    {
        if (_elsewhere.TryGetValue(tenantId, out var known))
        {
            return known;
        }

        using var command = Lookup(tenantId);
        return Resolve(tenantId, command.ExecuteScalar() as string);
    }

    public async ValueTask<Tenant> GetTenantAsync(string tenantId) =>
        _elsewhere.TryGetValue(tenantId, out var known) ? known : Resolve(tenantId, await RegisteredAsync(tenantId));

    /// <summary>The connection string the master table gives the organisation, read now; null for the shared database.</summary>
    public async Task<string?> RegisteredAsync(string organisation)
    {
        await EnsureMasterTableAsync();
        await using var command = Lookup(organisation);
        return await command.ExecuteScalarAsync() as string;
    }

    private NpgsqlCommand Lookup(string organisation)
    {
        var command = _lookup.CreateCommand(_lookupSql);
        command.Parameters.AddWithValue(organisation);
        return command;
    }

    private Tenant Resolve(string tenantId, string? connectionString)
    {
        if (connectionString is null)
        {
            return new Tenant(tenantId, Shared);
        }

        var database = DatabaseFor(connectionString);
        return _elsewhere.GetOrAdd(tenantId, new Tenant(tenantId, database));
    }

    /// <summary>One <see cref="MartenDatabase"/> (and one connection pool) per database, however many organisations it holds.</summary>
    public MartenDatabase DatabaseFor(string connectionString) =>
        IdentifierOf(connectionString) is var id && id == _sharedIdentity
            ? Shared
            : _databases.GetOrAdd(id, _ => new MartenDatabase(_options, NpgsqlDataSource.Create(Connections.Tuned(connectionString)), id));

    /// <summary>A database's name among the store's (<see cref="SharedIdentifier"/>, or its database name and server).</summary>
    public string NameOf(IMartenDatabase database) => _databases.First(d => ReferenceEquals(d.Value, database)).Key;

    public async ValueTask<IMartenDatabase> FindOrCreateDatabase(string tenantIdOrDatabaseIdentifier) =>
        _databases.TryGetValue(tenantIdOrDatabaseIdentifier, out var database)
            ? database
            : (await GetTenantAsync(tenantIdOrDatabaseIdentifier)).Database;

    public async ValueTask<IMartenDatabase> FindDatabase(DatabaseId id)
    {
        await BuildDatabases();
        return _databases.Values.FirstOrDefault(d => d.Id == id)
               ?? throw new ArgumentOutOfRangeException(nameof(id), $"No database {id.Identity} is known.");
    }

    public bool IsTenantStoredInCurrentDatabase(IMartenDatabase database, string tenantId) =>
        ReferenceEquals(GetTenant(tenantId).Database, database);

    /// <summary>The master table's database first (so that applying the schema makes the table), then the shared one, then every other.</summary>
    public async ValueTask<IReadOnlyList<IDatabase>> BuildDatabases()
    {
        await foreach (var (organisation, connectionString) in RegisteredAsync())
        {
            Resolve(organisation, connectionString);
        }

        return [_master.TenantDatabase, Shared, .. _databases.Values.Where(d => !ReferenceEquals(d, Shared)).OrderBy(d => d.Identifier, StringComparer.Ordinal)];
    }

    /// <summary>Every organisation the master table places in a database of its own.</summary>
    public async IAsyncEnumerable<(string Organisation, string ConnectionString)> RegisteredAsync()
    {
        await EnsureMasterTableAsync();
        await using var command = _lookup.CreateCommand(
            $"select tenant_id, connection_string from {_options.DatabaseSchemaName}.mt_tenant_databases where disabled = false order by tenant_id");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            yield return (reader.GetString(0), reader.GetString(1));
        }
    }

    /// <summary>Places an organisation in the database of <paramref name="connectionString"/>, for every node from their next request.</summary>
    public async Task RegisterAsync(string organisation, string connectionString)
    {
        await EnsureMasterTableAsync();
        await _master.AddDatabaseRecordAsync(organisation, connectionString);
    }

    private async Task EnsureMasterTableAsync()
    {
        if (!_masterTableReady && _options.AutoCreateSchemaObjects != JasperFx.AutoCreate.None)
        {
            await _master.TenantDatabase.ApplyAllConfiguredChangesToDatabaseAsync(_options.AutoCreateSchemaObjects);
        }

        _masterTableReady = true;
    }

    public async ValueTask<DatabaseUsage> DescribeDatabasesAsync(CancellationToken token)
    {
        await BuildDatabases();
        var descriptors = _databases.ToDictionary(d => d.Key, d => d.Value.Describe(), StringComparer.Ordinal);
        foreach (var (organisation, tenant) in _elsewhere)
        {
            descriptors[NameOf(tenant.Database)].TenantIds.Add(organisation);
        }

        return new DatabaseUsage { Cardinality = Cardinality, Databases = descriptors.Values.ToList() };
    }

    public void Dispose()
    {
        foreach (var database in _databases.Values)
        {
            database.Dispose();
        }

        _master.Dispose();
        _lookup.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _databases.Values)
        {
            await database.DisposeAsync();
        }

        await _master.DisposeAsync();
        await _lookup.DisposeAsync();
    }
}
