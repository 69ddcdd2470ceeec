using System.Security.Cryptography;
using System.Text.Json;

namespace LearningSystem.PersonalData;

/// <summary>
/// The master keys that wrap every data subject's key. One is active for new wrapping; older ones stay
/// configured until a rotation has re-wrapped everything under the active one.
/// </summary>
public sealed class MasterKeyRing
{
    private readonly IReadOnlyDictionary<string, byte[]> _keys;

    public MasterKeyRing(IReadOnlyDictionary<string, byte[]> keys, string activeId)
    {
        if (!keys.TryGetValue(activeId, out var active))
        {
            throw new LearningSystem.Operations.SettingInvalid($"The active master key '{activeId}' is not among the configured master keys.");
        }

        if (keys.Values.Any(k => k.Length != 32))
        {
            throw new LearningSystem.Operations.SettingInvalid("PersonalData:MasterKeys: master keys must be 32 random bytes, base64-encoded.");
        }

        _keys = keys;
        ActiveId = activeId;
        Active = active;
    }

    public string ActiveId { get; }
    private byte[] Active { get; }

    private byte[] Get(string id) =>
        _keys.TryGetValue(id, out var key)
            ? key
            : throw new InvalidOperationException($"Master key '{id}' is needed to unwrap a data subject's key but is not configured.");

    /// <summary>A subject's key wrapped under the active master key, bound to its id.</summary>
    public byte[] Wrap(Guid keyId, byte[] key)
    {
        var wrapped = new byte[SealedValue.NonceSize + SealedValue.TagSize + key.Length];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, SealedValue.NonceSize));
        using var aes = new AesGcm(Active, SealedValue.TagSize);
        aes.Encrypt(wrapped.AsSpan(0, SealedValue.NonceSize), key, wrapped.AsSpan(SealedValue.NonceSize + SealedValue.TagSize),
            wrapped.AsSpan(SealedValue.NonceSize, SealedValue.TagSize), keyId.ToByteArray());
        return wrapped;
    }

    /// <summary>A subject's key unwrapped with the master key it was wrapped under.</summary>
    public byte[] Unwrap(Guid keyId, byte[] wrapped, string masterKeyId)
    {
        var key = new byte[wrapped.Length - SealedValue.NonceSize - SealedValue.TagSize];
        using var aes = new AesGcm(Get(masterKeyId), SealedValue.TagSize);
        aes.Decrypt(wrapped.AsSpan(0, SealedValue.NonceSize), wrapped.AsSpan(SealedValue.NonceSize + SealedValue.TagSize),
            wrapped.AsSpan(SealedValue.NonceSize, SealedValue.TagSize), key, keyId.ToByteArray());
        return key;
    }

    /// <summary>
    /// From configuration (<c>PersonalData:MasterKeys:{id}</c> and <c>PersonalData:ActiveMasterKey</c>), or else
    /// from a key file generated on first use, for local development.
    /// </summary>
    public static MasterKeyRing FromConfiguration(IConfiguration configuration, string keyFile, Action<string> note)
    {
        var section = configuration.GetSection("PersonalData");
        var configured = section.GetSection("MasterKeys").GetChildren()
            .ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value ?? ""));
        if (configured.Count > 0)
        {
            return new MasterKeyRing(configured, section["ActiveMasterKey"] ?? configured.Keys.Single());
        }

        var file = section["KeyFile"] ?? keyFile;
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var generated = new KeyFile($"local-{DateTime.UtcNow:yyyyMMdd}", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            File.WriteAllText(file, JsonSerializer.Serialize(generated));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            note($"Generated a development master key in {file}");
        }

        var stored = JsonSerializer.Deserialize<KeyFile>(File.ReadAllText(file))
                     ?? throw new LearningSystem.Operations.SettingInvalid($"{file} is not a master key file.");
        return new MasterKeyRing(new Dictionary<string, byte[]> { [stored.Id] = Convert.FromBase64String(stored.Key) }, stored.Id);
    }

    private sealed record KeyFile(string Id, string Key);
}
