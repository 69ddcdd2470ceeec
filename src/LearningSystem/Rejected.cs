namespace LearningSystem;

/// <summary>Why a command was refused; each kind maps to one HTTP status.</summary>
public enum RejectionKind
{
    Invalid,
    NotFound,
    Conflict,
}

/// <summary>
/// Thrown by the pure decision functions when a command breaks a domain rule. It carries no I/O and is
/// turned into an RFC 9457 problem response at the edge.
/// </summary>
public sealed class Rejected(RejectionKind kind, string detail, string? field = null) : Exception(detail)
{
    public RejectionKind Kind { get; } = kind;
    public string? Field { get; } = field;

    /// <summary>Facts the caller needs to recover, such as the current version after a stale one.</summary>
    public IReadOnlyDictionary<string, object?> Facts { get; init; } = new Dictionary<string, object?>();

    public static Rejected NotFound(string detail, string? field = null) => new(RejectionKind.NotFound, detail, field);
    public static Rejected Invalid(string detail, string? field = null) => new(RejectionKind.Invalid, detail, field);
    public static Rejected Conflict(string detail) => new(RejectionKind.Conflict, detail);
}
