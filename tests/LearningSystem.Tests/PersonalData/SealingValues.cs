using System.Security.Cryptography;
using LearningSystem.PersonalData;

namespace LearningSystem.Tests.PersonalData;

/// <summary>The pieces the vault is made of, each alone: a sealed value, a wrapped key, the key cache.</summary>
public sealed class SealingValues
{
    private static readonly SubjectKeyInClear Key = new(Guid.CreateVersion7(), RandomNumberGenerator.GetBytes(32), DateTimeOffset.MaxValue);

    [Fact]
    public void A_sealed_value_names_its_key_hides_its_text_and_opens_only_under_that_key()
    {
        var token = SealedValue.Seal(Key, "I waited two hours");

        Assert.True(SealedValue.IsSealed(token));
        Assert.Equal(Key.KeyId, SealedValue.KeyIdOf(token));
        Assert.DoesNotContain("waited", token, StringComparison.Ordinal);
        Assert.Equal("I waited two hours", SealedValue.Open(Key, token));
        Assert.NotEqual(token, SealedValue.Seal(Key, "I waited two hours"));
        Assert.ThrowsAny<CryptographicException>(() => SealedValue.Open(Key with { Key = RandomNumberGenerator.GetBytes(32) }, token));
    }

    [Fact]
    public void A_sealed_value_changed_by_one_byte_does_not_open()
    {
        var token = SealedValue.Seal(Key, "Nobody told me why");
        var bytes = Convert.FromBase64String(token[(SealedValue.Prefix.Length + 33)..]);
        bytes[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => SealedValue.Open(Key, $"{token[..(SealedValue.Prefix.Length + 33)]}{Convert.ToBase64String(bytes)}"));
    }

    [Fact]
    public void A_subject_key_wrapped_under_one_master_key_unwraps_with_it_and_is_bound_to_its_id()
    {
        var ring = new MasterKeyRing(new Dictionary<string, byte[]> { ["one"] = RandomNumberGenerator.GetBytes(32) }, "one");
        var keyId = Guid.CreateVersion7();
        var key = RandomNumberGenerator.GetBytes(32);

        var wrapped = ring.Wrap(keyId, key);

        Assert.Equal(key, ring.Unwrap(keyId, wrapped, "one"));
        Assert.ThrowsAny<CryptographicException>(() => ring.Unwrap(Guid.CreateVersion7(), wrapped, "one"));
        Assert.Throws<InvalidOperationException>(() => ring.Unwrap(keyId, wrapped, "two"));
    }

    [Fact]
    public void The_key_cache_forgets_a_key_after_a_minute_and_at_once_when_told()
    {
        var clock = new TestClock();
        var cache = new SubjectKeyCache(clock);
        var keyId = Guid.CreateVersion7();
        cache.Remember("st-marys", keyId, Key.Key);

        Assert.True(cache.TryGet("st-marys", keyId, out _));
        Assert.False(cache.TryGet("st-lukes", keyId, out _));
        clock.Now += TimeSpan.FromSeconds(61);
        Assert.False(cache.TryGet("st-marys", keyId, out _));

        cache.Remember("st-marys", keyId, Key.Key);
        cache.Forget("st-marys", keyId);
        Assert.False(cache.TryGet("st-marys", keyId, out _));
    }
}
