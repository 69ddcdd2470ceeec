using System.Security.Cryptography;

namespace LearningSystem.Audit;

/// <summary>
/// A Merkle tree hash over links in sequence order, as RFC 6962 defines it (leaves prefixed 0x00, nodes 0x01),
/// folded as the links stream past so that memory stays small whatever the store's size.
/// </summary>
public sealed class Merkle
{
    private readonly List<(int Height, byte[] Hash)> _stack = [];

    public long Count { get; private set; }

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
