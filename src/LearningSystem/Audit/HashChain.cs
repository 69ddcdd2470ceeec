using System.Security.Cryptography;
using System.Text;

namespace LearningSystem.Audit;

/// <summary>
/// Every event is linked into a SHA-256 chain per stream: a link is the hash of the previous link and the
/// event's canonical form. A trigger on Marten's event table writes it into the event's own headers
/// (<c>link</c>) as the row is inserted, so it is in the event's transaction whatever code appended it, and
/// costs no row of its own; <see cref="Canonical"/> is the same form, recomputed independently when verifying.
/// </summary>
public static class HashChain
{
    /// <summary>Bumped whenever the canonical form or the trigger changes, so that the schema is re-applied.</summary>
    public const string Version = "learningsystem hash chain v5";

    /// <summary>The header that holds an event's link, in hex. The canonical form is taken without it.</summary>
    public const string LinkHeader = "link";

    /// <summary>
    /// Type, data as stored (JSON, or hex of binary data; ciphertext for personal fields, so erasure never
    /// breaks the chain), stream id, version, timestamp (microseconds since 1970 UTC), organisation, the metadata
    /// columns, the event's id, its sequence number and the .NET type it is read back as, one per line. Stored
    /// JSON has its newlines escaped, and ids and names hold none, so the lines cannot run into each other.
    /// Every column of the event is covered but <c>is_archived</c>, which nothing here sets: verification
    /// refuses any archived event instead.
    /// </summary>
    public static string Canonical(StoredEvent e) =>
        string.Join('\n', e.Type, e.Data ?? "", e.BinaryData ?? "", e.StreamId.ToString(), Invariant(e.Version), e.Timestamp, e.Organisation,
            e.CorrelationId ?? "", e.CausationId ?? "", e.Headers ?? "", e.Id.ToString(), Invariant(e.Sequence), e.DotnetType ?? "");

    private static string Invariant(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static byte[] Link(byte[]? previous, string canonical) =>
        SHA256.HashData([.. previous ?? [], .. Encoding.UTF8.GetBytes(canonical)]);

    /// <summary>The timestamp as the chain renders it, in SQL: microseconds since 1970 (to_char costs ten times more).</summary>
    public static string TimestampSql(string column) => $"(extract(epoch from {column}) * 1000000)::bigint::text";

    /// <summary>The headers as the chain renders them, in SQL: without the link itself, and none the same as empty.</summary>
    public static string HeadersSql(string column) => $"coalesce(nullif({column} - '{LinkHeader}', '{{}}'::jsonb)::text, '')";
}

/// <summary>
/// One row of Marten's event table exactly as stored, in the chain's renderings: what the verifier, the audit
/// export and the offline verifier all read. <see cref="Headers"/> is the headers without the link, which is
/// <see cref="Link"/>.
/// </summary>
public sealed record StoredEvent(
    long Sequence, Guid Id, Guid StreamId, long Version, string Type, string? Data, string? BinaryData, string Timestamp, string Organisation,
    string? DotnetType, string? CorrelationId, string? CausationId, string? Headers, string? Link, bool Archived);
