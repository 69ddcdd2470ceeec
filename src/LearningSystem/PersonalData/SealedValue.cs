using System.Security.Cryptography;
using System.Text;

namespace LearningSystem.PersonalData;

/// <summary>A subject's key in clear, as cached for a while (<see cref="Until"/>) once unwrapped.</summary>
public sealed record SubjectKeyInClear(Guid KeyId, byte[] Key, DateTimeOffset Until);

/// <summary>
/// The encryption of one personal value: AES-GCM under its subject's key, bound to the key's id, written as
/// <c>pd1:{key id}:{nonce, tag and cipher text in base64}</c>.
/// </summary>
public static class SealedValue
{
    public const string ErasedMarker = "[erased]";

    /// <summary>What a reader sees in place of personal text its scopes or the subject's consent do not open.</summary>
    public const string WithheldMarker = "[withheld]";
    public const string Prefix = "pd1:";
    public const int NonceSize = 12;
    public const int TagSize = 16;

    public static bool IsSealed(string? value) => value?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    public static string Seal(SubjectKeyInClear key, string clear)
    {
        var plain = Encoding.UTF8.GetBytes(clear);
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), key.KeyId.ToByteArray());
        return $"{Prefix}{key.KeyId:N}:{Convert.ToBase64String(sealedBytes)}";
    }

    public static string Open(SubjectKeyInClear key, string token)
    {
        var sealedBytes = Convert.FromBase64String(token[(Prefix.Length + 33)..]);
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key.Key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plain, key.KeyId.ToByteArray());
        return Encoding.UTF8.GetString(plain);
    }

    public static Guid KeyIdOf(string token) => Guid.ParseExact(token.AsSpan(Prefix.Length, 32), "N");
}
