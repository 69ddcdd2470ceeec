using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using Marten;
using Marten.Linq.MatchesSql;
using Microsoft.AspNetCore.WebUtilities;

namespace LearningSystem.Http;

/// <summary>
/// One order a list may be read in: its wire name, its key as SQL over Marten's document alias <c>d</c>, and the
/// same key read from an item (for the cursor). Keys are dates, numbers or text.
/// </summary>
public sealed record SortKey<T>(string Name, string Sql, Func<T, object?> Key, char Kind)
{
    public static SortKey<T> Date(string name, string schema, string jsonPath, Func<T, DateTimeOffset> key) =>
        new(name, $"{schema}.mt_immutable_timestamptz({Listing.Json(jsonPath)})", x => key(x), 't');

    public static SortKey<T> Number(string name, string jsonPath, Func<T, int> key) =>
        new(name, $"coalesce(({Listing.Json(jsonPath)})::integer, 0)", x => key(x), 'n');

    /// <summary>Text, compared as PostgreSQL collates it; written as Marten writes a computed index, so an index on it serves the order.</summary>
    public static SortKey<T> Text(string name, string jsonPath, Func<T, string?> key) =>
        new(name, Listing.Json(jsonPath), x => key(x) ?? "", 's');
}

public sealed record Sorting<T>(SortKey<T> Key, bool Descending)
{
    public string Wire => Descending ? $"-{Key.Name}" : Key.Name;
}

/// <summary>
/// Sorted, filtered lists that page by keyset: the order is the key then the id, and the <c>after</c> cursor holds
/// the last item's key and id, so a page never repeats or skips an item however many share a key, and reading
/// a late page costs what the first does (with an index on the key).
/// </summary>
public static class Listing
{
    /// <summary>
    /// <paramref name="sort"/> is a key's name, ascending, or the name after <c>-</c>, descending; absent, the first key
    /// in the direction given.
    /// </summary>
    public static Sorting<T> Sort<T>(string? sort, bool newestFirst, params SortKey<T>[] keys)
    {
        if (string.IsNullOrEmpty(sort))
        {
            return new Sorting<T>(keys[0], newestFirst);
        }

        var descending = sort.StartsWith('-');
        var name = descending ? sort[1..] : sort;
        return keys.FirstOrDefault(k => k.Name == name) is { } key
            ? new Sorting<T>(key, descending)
            : throw Rejected.Invalid($"sort is one of {string.Join(", ", keys.Select(k => k.Name))}, each optionally after '-' for descending order.", "sort");
    }

    public static string Json(string path)
    {
        var steps = path.Split('.');
        return "d.data" + string.Concat(steps[..^1].Select(s => $" -> '{s}'")) + $" ->> '{steps[^1]}'";
    }

    /// <summary>The items whose <paramref name="time"/> is from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), each bound when given.</summary>
    public static IQueryable<T> Within<T>(IQueryable<T> query, Expression<Func<T, DateTimeOffset>> time, DateTimeOffset? from, DateTimeOffset? to)
    {
        IQueryable<T> Where(DateTimeOffset bound, Func<Expression, Expression, BinaryExpression> compare) =>
            query.Where(Expression.Lambda<Func<T, bool>>(compare(time.Body, Expression.Constant(bound)), time.Parameters));

        if (from is { } start)
        {
            query = Where(start, Expression.GreaterThanOrEqual);
        }

        if (to is { } end)
        {
            query = Where(end, Expression.LessThan);
        }

        return query;
    }

    /// <summary>One page of <paramref name="query"/> in <paramref name="sorting"/>'s order, with the Link header to the next when more follow.</summary>
    public static async Task<IReadOnlyList<T>> PageAsync<T>(
        HttpContext http, IQueryable<T> query, Sorting<T> sorting, int? limit, string? after, Func<T, Guid> id, CancellationToken ct) where T : notnull
    {
        var take = Paging.Limit(limit);
        var direction = sorting.Descending ? "desc" : "asc";
        if (after is not null)
        {
            var (key, last) = ReadCursor(after, sorting);
            var beyond = $"({sorting.Key.Sql}, d.id) {(sorting.Descending ? "<" : ">")} (?, ?)";
            query = query.Where(x => x.MatchesSql(beyond, key, last));
        }

        var fetched = await query.OrderBySql($"{sorting.Key.Sql} {direction}, d.id {direction}").Take(take + 1).ToListAsync(ct);
        if (fetched.Count <= take)
        {
            return fetched;
        }

        var items = fetched.Take(take).ToArray();
        Paging.LinkNext(http, Cursor(sorting.Key.Key(items[^1]), id(items[^1])));
        return items;
    }

    /// <summary>Every item of <paramref name="query"/> in <paramref name="sorting"/>'s order, read a page at a time (for downloads).</summary>
    public static async IAsyncEnumerable<T> AllAsync<T>(
        IQueryable<T> query, Sorting<T> sorting, Func<T, Guid> id, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct) where T : notnull
    {
        var direction = sorting.Descending ? "desc" : "asc";
        var beyond = $"({sorting.Key.Sql}, d.id) {(sorting.Descending ? "<" : ">")} (?, ?)";
        (object? Key, Guid Id)? last = null;
        while (true)
        {
            var page = query;
            if (last is { } from)
            {
                var key = Normalised(from.Key);
                page = page.Where(x => x.MatchesSql(beyond, key, from.Id));
            }

            var items = await page.OrderBySql($"{sorting.Key.Sql} {direction}, d.id {direction}").Take(Paging.MaxLimit).ToListAsync(ct);
            foreach (var item in items)
            {
                yield return item;
            }

            if (items.Count < Paging.MaxLimit)
            {
                yield break;
            }

            last = (sorting.Key.Key(items[^1]), id(items[^1]));
        }
    }

    private static string Cursor(object? key, Guid id)
    {
        var text = Normalised(key) switch
        {
            DateTimeOffset t => $"t{t.UtcTicks.ToString(CultureInfo.InvariantCulture)}",
            int n => $"n{n.ToString(CultureInfo.InvariantCulture)}",
            var other => $"s{other}",
        };
        return WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes($"{id:N}{text}"));
    }

    // PostgreSQL keeps microseconds, so a time is compared as it compares them.
    private static object Normalised(object? key) => key switch
    {
        DateTimeOffset t => new DateTimeOffset(t.UtcTicks - (t.UtcTicks % 10), TimeSpan.Zero),
        null => "",
        _ => key,
    };

    private static (object Key, Guid Id) ReadCursor<T>(string after, Sorting<T> sorting)
    {
        try
        {
            var text = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(after));
            var id = Guid.ParseExact(text[..32], "N");
            var value = text[33..];
            // The cursor comes back from the client: its text key passes the rule every text does (no NUL, no control characters).
            if (TextInput.Refusal(value) is not null)
            {
                throw new FormatException();
            }

            object key = text[32] switch
            {
                't' => new DateTimeOffset(long.Parse(value, CultureInfo.InvariantCulture), TimeSpan.Zero),
                'n' => int.Parse(value, CultureInfo.InvariantCulture),
                's' => value,
                _ => throw new FormatException(),
            };
            return text[32] == sorting.Key.Kind ? (key, id) : throw new FormatException();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            throw Rejected.Invalid("after is not a cursor this service gave for this order; take it from the Link header.", "after");
        }
    }
}
