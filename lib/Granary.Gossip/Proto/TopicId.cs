namespace Granary.Gossip.Proto;

/// <summary>A gossip topic's 32-byte id (iroh-gossip's <c>TopicId</c>): peers that subscribe to the same id form one swarm.</summary>
public readonly record struct TopicId
{
    /// <summary>Bytes in an id: 32.</summary>
    public const int Size = 32;

    private readonly byte[] _bytes;

    /// <summary>An id from exactly <see cref="Size"/> bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public TopicId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A topic id is {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The id's bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The topic named by a text: its BLAKE3 hash (so "cluster-events" is the same topic everywhere).</summary>
    public static TopicId FromName(string name) => new(Granary.Hashing.Blake3.Hash(System.Text.Encoding.UTF8.GetBytes(name)).ToArray());

    /// <inheritdoc/>
    public bool Equals(TopicId other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(_bytes ?? new byte[4], 0);

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(_bytes ?? []);
}
