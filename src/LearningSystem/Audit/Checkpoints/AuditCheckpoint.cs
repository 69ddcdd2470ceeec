namespace LearningSystem.Audit.Checkpoints;

/// <summary>
/// A Merkle root over an organisation's links up to a sequence number. When a signing key is configured, the
/// statement is signed (ECDSA P-256, SHA-256, IEEE P1363) and the public key travels with it, so an auditor can
/// keep a copy outside our database and check it with standard tools.
/// </summary>
public sealed record AuditCheckpoint(
    Guid Id, long UpToSequence, long Events, string Root, DateTimeOffset MadeAt, string Statement,
    string? Signature, string? KeyId, string? PublicKey)
{
    public const string Algorithm = "ECDSA P-256 SHA-256 (IEEE P1363), base64";

    /// <summary>What is signed: the organisation, how far, how many links, and their root.</summary>
    public static string StatementOf(string organisation, long upTo, long events, string root) =>
        $"learningsystem-checkpoint/v1\norganisation:{organisation}\nupToSequence:{upTo}\nevents:{events}\nroot:{root}";
}
