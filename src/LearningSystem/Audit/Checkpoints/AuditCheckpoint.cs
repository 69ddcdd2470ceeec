using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LearningSystem.Audit.Checkpoints;

/// <summary>A stream's last version and its link, as a checkpoint saw them.</summary>
public sealed record StreamHead(Guid StreamId, long Version, string Link)
{
    /// <summary>The Merkle leaf a head is committed as.</summary>
    public byte[] Leaf() => Encoding.UTF8.GetBytes($"{StreamId}:{Version.ToString(CultureInfo.InvariantCulture)}:{Link}");
}

/// <summary>
/// The <see cref="Number"/>th checkpoint of an organisation: the Merkle root over its links in sequence order up
/// to a sequence number, the heads of the streams that changed since the previous checkpoint (committed by
/// <see cref="HeadsRoot"/>), and the hash of the previous checkpoint's statement, so that none can be removed or
/// altered unnoticed. When a signing key is configured, the statement is signed (ECDSA P-256, SHA-256) and the
/// public key travels with it, so an auditor can keep a copy outside our database and check it with standard tools.
/// </summary>
public sealed record AuditCheckpoint(
    Guid Id, long Number, long UpToSequence, long Events, string Root, string HeadsRoot, string Previous, DateTimeOffset MadeAt,
    string Statement, string? Signature, string? SignatureDer, string? KeyId, string? PublicKey, IReadOnlyList<StreamHead> Heads)
{
    /// <summary>
    /// The tree's right frontier after <c>Events</c> links (hex, largest subtree first), so the next checkpoint
    /// extends the tree by what is new instead of reading the whole log. Not signed: a wrong frontier only gives
    /// the next checkpoint a root that verification refuses. Empty on checkpoints made before it was kept.
    /// </summary>
    public IReadOnlyList<string> Frontier { get; init; } = [];

    public const string Algorithm = "ECDSA P-256 SHA-256 over the UTF-8 statement; signature IEEE P1363 (r||s) base64, signatureDer ASN.1 DER base64";
    public const string Format = "learningsystem-checkpoint/v2";

    /// <summary>What the first checkpoint names as its previous one.</summary>
    public static readonly string NoPrevious = new('0', 64);

    /// <summary>What is signed: the organisation, which checkpoint, how far, how many links, their root, the heads' root and the previous statement's hash.</summary>
    public static string StatementOf(string organisation, long number, long upTo, long events, string root, int heads, string headsRoot, string previous) =>
        string.Join('\n',
            Format, $"organisation:{organisation}", $"number:{Invariant(number)}", $"upToSequence:{Invariant(upTo)}", $"events:{Invariant(events)}",
            $"root:{root}", $"heads:{Invariant(heads)}", $"headsRoot:{headsRoot}", $"previous:{previous}");

    /// <summary>The statement this checkpoint's own fields make.</summary>
    public string ExpectedStatement(string organisation) =>
        StatementOf(organisation, Number, UpToSequence, Events, Root, Heads.Count, HeadsRoot, Previous);

    /// <summary>What the next checkpoint names as its previous one.</summary>
    public string StatementHash() => HashOf(Statement);

    public static string HashOf(string statement) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(statement)));

    /// <summary>The root the heads commit to, in stream id order.</summary>
    public static string RootOfHeads(IEnumerable<StreamHead> heads)
    {
        var merkle = new Merkle();
        foreach (var head in heads.OrderBy(h => h.StreamId.ToString(), StringComparer.Ordinal))
        {
            merkle.Add(head.Leaf());
        }

        return Convert.ToHexStringLower(merkle.Root());
    }

    /// <summary>The P1363 signature (r||s) as the DER sequence openssl expects.</summary>
    public static string DerOf(byte[] p1363)
    {
        var half = p1363.Length / 2;
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(Minimal(p1363.AsSpan(0, half)));
            writer.WriteIntegerUnsigned(Minimal(p1363.AsSpan(half)));
        }

        return Convert.ToBase64String(writer.Encode());
    }

    private static ReadOnlySpan<byte> Minimal(ReadOnlySpan<byte> value)
    {
        while (value.Length > 1 && value[0] == 0)
        {
            value = value[1..];
        }

        return value;
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
