using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace LearningSystem.Tests.Audit;

/// <summary>Events are append-only in the database itself: whoever connects, an update, a delete or a truncate of an event fails.</summary>
[Collection(ServiceGroup.Name)]
public sealed class KeepingEventsAppendOnly(ServiceFixture service)
{
    [Fact]
    public async Task Even_the_owner_cannot_change_an_event_without_first_switching_the_refusal_off_and_the_service_still_works()
    {
        var (outcome, organisation) = await service.PlayJennysStoryAsync("append-only");
        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in new[]
                 {
                     "update learningsystem.mt_events set data = '{}' where stream_id = @stream",
                     "delete from learningsystem.mt_events where stream_id = @stream",
                     "truncate learningsystem.mt_events cascade",
                 })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("stream", outcome.AgreedPriority);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }

        await service.Host.CreateAsync("/api/participants", new { displayName = "Ada", stakeholderGroup = "nurse" }, organisation);
        Assert.True((await service.Host.GetJsonAsync("/api/audit/verify", organisation: organisation)).GetProperty("intact").GetBoolean());
    }
}

/// <summary>
/// The least-privilege deployment of docs/deploying.md, as processes: the owner applies the schema with <c>db-apply</c>
/// naming the service's role, and the service runs as that role, which can append and read but cannot
/// change an event, nor switch off or drop the triggers that link and guard them.
/// </summary>
public sealed class RunningAsALeastPrivilegedRole : IAsyncLifetime
{
    private const string Key = "least-privilege-key";
    private readonly string _role = $"ls_service_{Guid.NewGuid():N}"[..24];
    private string _owner = "";

    public async Task InitializeAsync()
    {
        _owner = await TestDatabase.AcquireAsync("leastprivilege");
        await ExecuteAsync(_owner, $"drop schema if exists learningsystem cascade; create role {_role} login");
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(_owner, $"drop owned by {_role}; drop role {_role}");
        await TestDatabase.ReleaseAsync();
    }

    [Fact]
    public async Task The_service_role_appends_and_reads_but_cannot_alter_events_or_their_triggers()
    {
        var applied = await ServiceProcess.RunToEndAsync(
            new Dictionary<string, string> { ["ConnectionStrings__LearningSystem"] = _owner, ["Database__ServiceRole"] = _role }, "db-apply");
        Assert.True(applied.ExitCode == 0, applied.Output + applied.Error);

        var asService = new NpgsqlConnectionStringBuilder(_owner) { Username = _role }.ConnectionString;
        await using (var service = await ServiceProcess.StartAsync(Key,
        [
            $"--ConnectionStrings:LearningSystem={asService}",
            "--Database:ApplyChangesOnStartup=false",
            $"--Clients:hospital:KeyHash={LearningSystem.Access.ApiClientRegistry.Hash(Key)}",
            .. LearningSystem.Access.Scopes.All.Select((scope, i) => $"--Clients:hospital:Scopes:{i}={scope}"),
            "--Clients:hospital:Organisations:0=st-marys",
            "--PersonalData:MasterKeys:k1=" + Convert.ToBase64String(new byte[32]),
            "--PersonalData:ActiveMasterKey=k1",
            "--Audit:CheckpointMinutes=0",
            "--Audit:CheckpointSettleSeconds=0",
        ]))
        {
            service.Client.DefaultRequestHeaders.Add("X-Organisation", "st-marys");
            using var registered = await service.Client.PostAsJsonAsync("/api/participants", new { displayName = "Jenny", stakeholderGroup = "student" });
            Assert.True(registered.StatusCode == HttpStatusCode.Created, await registered.Content.ReadAsStringAsync() + service.Output);
            using var checkpoint = await service.Client.PostAsJsonAsync("/api/audit/checkpoints", new { });
            Assert.Equal(HttpStatusCode.Created, checkpoint.StatusCode);
            var verified = await service.Client.GetFromJsonAsync<JsonElement>("/api/audit/verify");
            Assert.True(verified.GetProperty("intact").GetBoolean(), verified.GetRawText());
        }

        foreach (var sql in new[]
                 {
                     "update learningsystem.mt_events set data = '{}'",
                     "delete from learningsystem.mt_events",
                     "truncate learningsystem.mt_events cascade",
                     "alter table learningsystem.mt_events disable trigger mt_events_append_only",
                     "set session_replication_role = replica",
                     "drop trigger mt_events_link on learningsystem.mt_events",
                     "create or replace function learningsystem.refuse_event_change() returns trigger language plpgsql as $$ begin return new; end $$",
                 })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(asService, sql));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
