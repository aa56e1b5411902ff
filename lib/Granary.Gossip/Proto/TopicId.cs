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

    /// <summary>
    /// The topic a user typed: 64 hex digits are an id as <see cref="ToString"/> writes it; any
    /// other text is a name (<see cref="FromName"/>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="text"/> is empty.</exception>
    public static TopicId FromText(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return text.Length == Size * 2 && text.All(char.IsAsciiHexDigit) ? new TopicId(Convert.FromHexString(text)) : FromName(text);
    }

    /// <summary>The name to record for a topic a user typed: the text, unless it was an id (then none).</summary>
    public static string? NameOf(string text) => text.Length == Size * 2 && text.All(char.IsAsciiHexDigit) ? null : text;

    /// <inheritdoc/>
    public bool Equals(TopicId other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(_bytes ?? new byte[4], 0);

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(_bytes ?? []);
}
