using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace LearningSystem.Http;

/// <summary>Where a page starts: after the items up to a time, of which <c>SeenAtTime</c> shared that exact time.</summary>
public sealed record Page(int Limit, DateTimeOffset? After, int SeenAtTime);

/// <summary>
/// Paging for every list that can grow: <c>limit</c> items (500 unless asked, at most 1,000) in a stable
/// order (time, then id), and, when more follow, a <c>Link: &lt;…&gt;; rel="next"</c> header whose URL carries an
/// opaque <c>after</c> cursor. No Link header means the client has everything.
/// </summary>
public static class Paging
{
    public const int DefaultLimit = 500;
    public const int MaxLimit = 1_000;
    public const string LimitDescription = "How many items at most (1 to 1,000; 500 unless given).";
    public const string AfterDescription = "The cursor from the previous page's Link header (rel=\"next\"); absent for the first page.";

    public static int Limit(int? limit) =>
        limit is < 1 or > MaxLimit ? throw Rejected.Invalid($"limit is from 1 to {MaxLimit}.", "limit") : limit ?? DefaultLimit;

    public static Page Read(int? limit, string? after)
    {
        Limit(limit);

        if (after is null)
        {
            return new Page(limit ?? DefaultLimit, null, 0);
        }

        try
        {
            var parts = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(after)).Split(':');
            var at = new DateTimeOffset(long.Parse(parts[0], CultureInfo.InvariantCulture), TimeSpan.Zero);
            return new Page(limit ?? DefaultLimit, at, int.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException)
        {
            throw Rejected.Invalid("after is not a cursor this service gave; take it from the Link header.", "after");
        }
    }

    /// <summary>The query for one page, ordered by <paramref name="time"/> then <paramref name="id"/>, one item more than the limit.</summary>
    public static IQueryable<T> Apply<T>(IQueryable<T> query, Page page, Expression<Func<T, DateTimeOffset>> time, Expression<Func<T, Guid>> id)
    {
        if (page.After is { } after)
        {
            var from = Expression.Lambda<Func<T, bool>>(Expression.GreaterThanOrEqual(time.Body, Expression.Constant(after)), time.Parameters);
            query = query.Where(from);
        }

        return query.OrderBy(time).ThenBy(id).Skip(page.SeenAtTime).Take(page.Limit + 1);
    }

    /// <summary>The page's items; when more follow, the Link header to the next page.</summary>
    public static IReadOnlyList<T> Finish<T>(HttpContext http, IReadOnlyList<T> fetched, Page page, Func<T, DateTimeOffset> time)
    {
        if (fetched.Count <= page.Limit)
        {
            return fetched;
        }

        // PostgreSQL keeps microseconds, so times are compared as it compares them.
        static DateTimeOffset Micro(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % 10), TimeSpan.Zero);
        var items = fetched.Take(page.Limit).ToArray();
        var last = Micro(time(items[^1]));
        var seen = items.Count(i => Micro(time(i)) == last) + (page.After == last ? page.SeenAtTime : 0);
        LinkNext(http, WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes($"{last.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{seen.ToString(CultureInfo.InvariantCulture)}")));
        return items;
    }

    /// <summary>
    /// A page of a stream's items in version order, fetched one over <paramref name="limit"/> after the version the
    /// client gave; when more follow, the Link header to the next page, after the page's last version.
    /// </summary>
    public static IReadOnlyList<T> ByVersion<T>(HttpContext http, IReadOnlyList<T> fetched, int limit, Func<T, long> version)
    {
        if (fetched.Count <= limit)
        {
            return fetched;
        }

        var items = fetched.Take(limit).ToArray();
        LinkNext(http, version(items[^1]).ToString(CultureInfo.InvariantCulture));
        return items;
    }

    /// <summary>Points to the next page: this request's URL with <c>after</c> set to <paramref name="cursor"/>.</summary>
    public static void LinkNext(HttpContext http, string cursor)
    {
        var query = QueryHelpers.ParseQuery(http.Request.QueryString.Value);
        query["after"] = cursor;
        var next = QueryHelpers.AddQueryString(http.Request.Path, query.SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v))));
        http.Response.Headers.Link = $"<{next}>; rel=\"next\"";
    }
}
