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

    public static Rejected NotFound(string detail, string? field = null) => new(RejectionKind.NotFound, detail, field);
    public static Rejected Invalid(string detail, string? field = null) => new(RejectionKind.Invalid, detail, field);
}
