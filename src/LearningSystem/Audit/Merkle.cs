using System.Security.Cryptography;

namespace LearningSystem.Audit;

/// <summary>
/// A Merkle tree hash over links in sequence order, as RFC 6962 defines it (leaves prefixed 0x00, nodes 0x01),
/// folded as the links stream past so that memory stays small whatever the store's size. Its state is the
/// right frontier (the roots of the perfect subtrees, largest first), so a tree kept with a checkpoint can be
/// resumed and grown by what came after, without reading the links before.
/// </summary>
#if AUDIT_VERIFIER
// The offline verifier compiles this same file; kept internal there, so the two never clash where both are referenced.
internal sealed class Merkle
#else
public sealed class Merkle
#endif
{
    private readonly List<(int Height, byte[] Hash)> _stack = [];

    public long Count { get; private set; }

    /// <summary>The roots of the perfect subtrees, largest first: one per set bit of <see cref="Count"/>.</summary>
    public IReadOnlyList<byte[]> Frontier => _stack.Select(s => s.Hash).ToArray();

    /// <summary>The tree over <paramref name="count"/> links whose frontier is <paramref name="frontier"/>.</summary>
    public static Merkle Resume(long count, IReadOnlyList<byte[]> frontier)
    {
        // A perfect subtree per set bit of the count, the highest first.
        var heights = Enumerable.Range(0, 63).Reverse().Where(bit => ((count >> bit) & 1) == 1).ToArray();
        if (count < 0 || heights.Length != frontier.Count || frontier.Any(h => h.Length != SHA256.HashSizeInBytes))
        {
            throw new ArgumentException($"A frontier of {frontier.Count} hashes does not fit a tree of {count} links.", nameof(frontier));
        }

        var merkle = new Merkle { Count = count };
        merkle._stack.AddRange(heights.Zip(frontier, (height, hash) => (height, hash)));
        return merkle;
    }

    public void Add(byte[] link)
    {
        var node = (Height: 0, Hash: SHA256.HashData([0x00, .. link]));
        while (_stack.Count > 0 && _stack[^1].Height == node.Height)
        {
            node = (node.Height + 1, Node(_stack[^1].Hash, node.Hash));
            _stack.RemoveAt(_stack.Count - 1);
        }

        _stack.Add(node);
        Count++;
    }

    /// <summary>The root over every link added so far; the hash of nothing for none.</summary>
    public byte[] Root()
    {
        if (_stack.Count == 0)
        {
            return SHA256.HashData([]);
        }

        var root = _stack[^1].Hash;
        for (var i = _stack.Count - 2; i >= 0; i--)
        {
            root = Node(_stack[i].Hash, root);
        }

        return root;
    }

    private static byte[] Node(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);
}
