using System.Security.Cryptography;

namespace LearningSystem.Storage;

/// <summary>An id fixed by two others, so that one thing per pair (an endorsement, a ballot, a delivery) is one document.</summary>
public static class PairId
{
    public static Guid Of(Guid first, Guid second)
    {
        Span<byte> both = stackalloc byte[32];
        first.TryWriteBytes(both[..16]);
        second.TryWriteBytes(both[16..]);
        return new Guid(SHA256.HashData(both)[..16]);
    }
}
