using System.Globalization;
using System.Text;
using LearningSystem.Storage;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.Finding.Searching;

/// <summary>One thing search found: its kind, id and title, and how well it matched (higher is better).</summary>
public sealed record SearchHit(string Kind, Guid Id, string Title, double Rank);

public static class SearchEndpoint
{
    public const int MaxQuery = 200;

    /// <summary>
    /// Priorities, service redesigns, curriculum changes and lessons whose words match <c>q</c>, as a web search
    /// reads it (words, "a phrase", -not, or), best first; <c>kind</c> narrows to one. Every wording a proposal has
    /// had is searched. Personal text (names, feedback, reflections) is never indexed, so it is never found.
    /// </summary>
    [WolverineGet("/api/search", OperationId = "search"), Tags(FindingModule.Tag)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task<IReadOnlyList<SearchHit>> Get(string? q, string? kind, int? limit, string? after, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(q) || q.Length > MaxQuery)
        {
            throw Rejected.Invalid($"q is the words to search for: 1 to {MaxQuery} characters.", "q");
        }

        var kinds = FindingModule.Searchable;
        if (kind is not null)
        {
            kinds = kinds.Where(k => k.Kind == kind).ToArray() is { Length: 1 } one
                ? one
                : throw Rejected.Invalid($"kind is one of {string.Join(", ", FindingModule.Searchable.Select(k => k.Kind))}.", "kind");
        }

        var take = Paging.Limit(limit ?? 50);
        var skip = 0;
        if (after is not null && (!int.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out skip) || skip > 100_000))
        {
            throw Rejected.Invalid("after is not a cursor this service gave; take it from the Link header.", "after");
        }

        var sql = new StringBuilder("select kind, id, title, rank from (");
        sql.AppendJoin(" union all ", kinds.Select(k =>
            $"select '{k.Kind}' as kind, d.id, {k.TitleSql()} as title, ts_rank({k.Vector()}, query) as rank " +
            $"from {k.Table(session.DocumentStore.Options, true)} d, websearch_to_tsquery('{SearchableText.Language}', @q) query " +
            $"where d.tenant_id = @tenant and {k.Vector()} @@ query"));
        sql.Append(") hits order by rank desc, kind, id limit @limit offset @skip");

        await using var connection = session.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql.ToString(), connection);
        command.Parameters.AddWithValue("q", q);
        command.Parameters.AddWithValue("tenant", session.TenantId);
        command.Parameters.AddWithValue("limit", take + 1);
        command.Parameters.AddWithValue("skip", skip);
        var hits = new List<SearchHit>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                hits.Add(new SearchHit(reader.GetString(0), reader.GetGuid(1), reader.IsDBNull(2) ? "" : reader.GetString(2), reader.GetFloat(3)));
            }
        }

        if (hits.Count <= take)
        {
            return hits;
        }

        Paging.LinkNext(http, (skip + take).ToString(CultureInfo.InvariantCulture));
        return hits[..take];
    }
}
