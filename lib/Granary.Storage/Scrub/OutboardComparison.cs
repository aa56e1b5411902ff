namespace Granary.Storage.Scrub;

/// <summary>
/// A write-only stream that compares what is written to it with a stored outboard, byte by byte,
/// instead of keeping it: the scrubber rebuilds a blob's outboard from its data into this, so a
/// rotten outboard is found without a second copy on disk.
/// </summary>
internal sealed class OutboardComparison(Stream stored) : Stream
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private long _position;

    /// <summary>Offset of the first byte that differed, or null.</summary>
    public long? FirstDifference { get; private set; }

    /// <summary>True if everything written equals the stored outboard and the stored one has nothing more.</summary>
    public bool Matches => FirstDifference is null && stored.Length == _position;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _position;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("An outboard comparison only moves forward.");
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty && FirstDifference is null)
        {
            int want = Math.Min(buffer.Length, _buffer.Length);
            int got = stored.ReadAtLeast(_buffer.AsSpan(0, want), want, throwOnEndOfStream: false);
            int same = buffer[..got].CommonPrefixLength(_buffer.AsSpan(0, got));
            if (same < want)
            {
                FirstDifference = _position + same;
            }

            _position += same;
            buffer = buffer[want..];
        }

        _position += buffer.Length; // after a difference: keep counting, stop comparing
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("An outboard comparison is write-only.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("An outboard comparison only moves forward.");

    public override void SetLength(long value) => throw new NotSupportedException("An outboard comparison only moves forward.");
}
