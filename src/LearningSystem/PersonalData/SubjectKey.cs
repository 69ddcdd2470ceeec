namespace LearningSystem.PersonalData;

/// <summary>
/// One data subject's key, wrapped under a master key and stored apart from the events. Erasure drops the
/// wrapped key and keeps this row as a tombstone, so a second erasure finds the first.
/// </summary>
public sealed record SubjectKey(
    Guid Id,
    string Subject,
    byte[]? WrappedKey,
    string MasterKeyId,
    DateTimeOffset CreatedAt,
    Erasure? Erasure) : Marten.Metadata.ITenanted
{
    public bool IsErased => WrappedKey is null;

    /// <summary>Filled in by Marten, so that a rotation across organisations writes each key back to its own.</summary>
    public string? TenantId { get; set; }
}

public enum LegalBasis
{
    ConsentWithdrawn,
    NoLongerNecessary,
    ObjectionToProcessing,
    UnlawfulProcessing,
    LegalObligation,
    ChildData,
}

/// <summary>Who asked for an erasure and why; holds no personal data.</summary>
public sealed record Erasure(Guid? RequestedBy, string Reason, LegalBasis LegalBasis, DateTimeOffset ErasedAt);
