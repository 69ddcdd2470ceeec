using System.Security.Cryptography;
using System.Text;

namespace LearningSystem.Audit.Checkpoints;

/// <summary>The public keys a verifier trusts checkpoint signatures from, by key id (the first 16 hex digits of the SHA-256 of the key's SubjectPublicKeyInfo).</summary>
public sealed class TrustedKeys
{
    private readonly Dictionary<string, byte[]> _keys;

    private TrustedKeys(Dictionary<string, byte[]> keys) => _keys = keys;

    public bool Any => _keys.Count > 0;

    public static TrustedKeys FromPem(IEnumerable<string> pems)
    {
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var pem in pems)
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            var spki = key.ExportSubjectPublicKeyInfo();
            keys[Id(spki)] = spki;
        }

        return new TrustedKeys(keys);
    }

    public static string IdOf(string pem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return Id(key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Null when the signature verifies with the trusted key of that id; otherwise why not.</summary>
    public string? Check(string statement, string? keyId, string? signature)
    {
        if (signature is null)
        {
            return "The checkpoint is not signed, though this verifier trusts signing keys.";
        }

        if (keyId is null || !_keys.TryGetValue(keyId, out var spki))
        {
            return $"The checkpoint is signed with key {keyId ?? "(none named)"}, which this verifier does not trust.";
        }

        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(spki, out _);
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            return "The signature is not base64.";
        }

        return key.VerifyData(Encoding.UTF8.GetBytes(statement), bytes, HashAlgorithmName.SHA256)
            ? null
            : "The signature does not verify over the statement: the checkpoint was altered.";
    }

    private static string Id(byte[] spki) => Convert.ToHexStringLower(SHA256.HashData(spki))[..16];
}
