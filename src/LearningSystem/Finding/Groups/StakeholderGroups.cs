using LearningSystem.Negotiating.Objecting;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.Rounds;
using LearningSystem.Rounds.Ranking;
using LearningSystem.Rounds.Reading;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;
using LearningSystem.Http;
using LearningSystem.Storage;

namespace LearningSystem.Finding.Groups;

/// <summary>How the priorities a group set fared: still open, decided (agreed or rejected), merged, withdrawn, and published by a round.</summary>
public sealed record PrioritiesFared(int Set, int Open, int Agreed, int Rejected, int Merged, int Withdrawn, int Published);

/// <summary>
/// One stakeholder group across every round: its participants, the round page's balance figures summed over all
/// priorities, how its priorities fared, whose amendments it accepted and who accepted its own.
/// </summary>
public sealed record StakeholderGroupView(
    StakeholderGroup Group, int Participants, GroupBalance Balance, PrioritiesFared Priorities,
    IReadOnlyList<Acceptance> AcceptedFrom, IReadOnlyList<Acceptance> AcceptedBy);

public static class StakeholderGroupEndpoint
{
    public const string RhoAcrossRounds = "Compared within a round: see each round's balance.";

    /// <summary>One stakeholder group's voice across every round and negotiation.</summary>
    [WolverineGet("/api/stakeholder-groups/{group}", OperationId = "getStakeholderGroup"), Tags(FindingModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<StakeholderGroupView> Get(string group, IQuerySession session, CancellationToken ct)
    {
        var g = People.WhoDidWhatEndpoint.Group(group);
        var wire = WireValues<StakeholderGroup>.Name(g);
        var stored = g.ToString();
        var options = session.DocumentStore.Options;
        var priorities = options.Schema.For<Priority>();
        await using var connection = session.Database.CreateConnection();
        await connection.OpenAsync(ct);

        // Marten keeps enums by their C# names; the wire uses camelCase.
        var participants = (long)(await Sql.ScalarAsync(connection,
            $"select count(*) from {options.Schema.For<Participant>()} where tenant_id = @p0 and data ->> 'stakeholderGroup' = @p1", ct, session.TenantId, stored))!;

        // The published priorities are gathered once and joined: as a correlated EXISTS, PostgreSQL read every round again for each priority.
        var fared = new Dictionary<string, long>();
        await using (var command = new NpgsqlCommand($"""
            with published as materialized (
                select distinct p.id::uuid as id from {options.Schema.For<Round>()} r, jsonb_array_elements_text(r.data -> 'published') p(id) where r.tenant_id = @tenant)
            select coalesce(d.data ->> 'status', 'Open'), count(*), count(published.id)
            from {priorities} d left join published on published.id = d.id
            where d.tenant_id = @tenant and d.data ->> 'setByGroup' = @group group by 1
            union all
            select 'Agreed', count(*), 0 from {priorities} d where d.tenant_id = @tenant and d.data ->> 'setByGroup' = @group and d.data -> 'decision' ->> 'outcome' = 'Agreed'
            """, connection))
        {
            command.Parameters.AddWithValue("tenant", session.TenantId);
            command.Parameters.AddWithValue("group", stored);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                fared[reader.GetString(0)] = reader.GetInt64(1);
                fared["published"] = fared.GetValueOrDefault("published") + reader.GetInt64(2);
            }
        }

        // The amendments the group proposed or answered, by whom and who accepted them: read from the priorities the
        // group's amendment acts touched (found by the events' acting-group index), not from every priority.
        var amendments = new List<(string By, string Status, string? DecidedBy, long Count)>();
        await using (var command = new NpgsqlCommand($"""
            with touched as (
                select distinct e.stream_id from {options.DatabaseSchemaName}.mt_events e
                where e.tenant_id = @tenant and e.headers ->> '{Attribution.WhoActed.ActingGroupKey}' = @wire
                  and e.type in ({string.Join(", ", FindingModule.AmendmentActs.Select(t => $"'{t}'"))}))
            select a ->> 'byGroup', a ->> 'status', a ->> 'decidedByGroup', count(*)
            from touched join {priorities} d on d.id = touched.stream_id and d.tenant_id = @tenant,
                jsonb_array_elements(coalesce(d.data -> 'negotiation' -> 'amendments', '[]'::jsonb)) a
            where a ->> 'byGroup' = @group or a ->> 'decidedByGroup' = @group
            group by 1, 2, 3
            """, connection))
        {
            command.Parameters.AddWithValue("tenant", session.TenantId);
            command.Parameters.AddWithValue("wire", wire);
            command.Parameters.AddWithValue("group", stored);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                amendments.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3)));
            }
        }

        long raised = 0, answered = 0;
        await using (var command = new NpgsqlCommand(
            $"select count(*), count(*) filter (where (data ->> 'answered')::boolean) from {options.Schema.For<Objection>()} where tenant_id = @tenant and data ->> 'byGroup' = @group",
            connection))
        {
            command.Parameters.AddWithValue("tenant", session.TenantId);
            command.Parameters.AddWithValue("group", stored);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            (raised, answered) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        var respondents = (long)(await Sql.ScalarAsync(connection,
            $"select count(*) from {options.Schema.For<InterimBallot>()} where tenant_id = @p0 and data ->> 'group' = @p1", ct, session.TenantId, stored))!;

        int Count(string status) => (int)fared.GetValueOrDefault(status);
        var set = fared.Where(f => f.Key is not ("Agreed" or "published")).Sum(f => (int)f.Value);
        var accepted = nameof(Negotiating.AmendmentStatus.Accepted);
        IReadOnlyList<Acceptance> Acceptances(Func<(string By, string Status, string? DecidedBy, long Count), bool> which) =>
        [
            .. amendments.Where(a => a.Status == accepted && a.DecidedBy is not null && which(a))
                .GroupBy(a => (a.By, a.DecidedBy!))
                .Select(x => new Acceptance(Enum.Parse<StakeholderGroup>(x.Key.By), Enum.Parse<StakeholderGroup>(x.Key.Item2), (int)x.Sum(a => a.Count)))
                .OrderBy(a => a.Proposer).ThenBy(a => a.AcceptedBy),
        ];

        return new StakeholderGroupView(
            g, (int)participants,
            new GroupBalance(
                g, set,
                (int)amendments.Where(a => a.By == stored).Sum(a => a.Count),
                (int)amendments.Where(a => a.By == stored && a.Status == accepted).Sum(a => a.Count),
                (int)raised, (int)answered, (int)respondents, null, RhoAcrossRounds),
            new PrioritiesFared(set, Count(nameof(PriorityStatus.Open)), Count("Agreed"), Count(nameof(PriorityStatus.Decided)) - Count("Agreed"),
                Count(nameof(PriorityStatus.Merged)), Count(nameof(PriorityStatus.Withdrawn)), Count("published")),
            Acceptances(a => a.DecidedBy == stored),
            Acceptances(a => a.By == stored));
    }
}
