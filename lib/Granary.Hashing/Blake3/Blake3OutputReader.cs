namespace Granary.Hashing;

/// <summary>
/// The extendable output of a finished hash: read any number of bytes from any position.
/// </summary>
public sealed class Blake3OutputReader
{
    private readonly Blake3Output _output;

    internal Blake3OutputReader(Blake3Output output) => _output = output;

    /// <summary>The position of the next byte <see cref="Read"/> returns.</summary>
    public ulong Position { get; set; }

    /// <summary>Fills <paramref name="destination"/> with output bytes and advances <see cref="Position"/>.</summary>
    public void Read(Span<byte> destination)
    {
        _output.RootBytes(Position, destination);
        Position += (ulong)destination.Length;
    }
}
