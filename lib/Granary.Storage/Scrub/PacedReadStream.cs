using System.Threading.RateLimiting;

namespace Granary.Storage.Scrub;

/// <summary>
/// Reads from <paramref name="inner"/> no faster than <paramref name="pace"/> allows (one permit
/// per KiB, taken before each read of at most <see cref="MaxRead"/>), and counts what it read.
/// Without a limiter it only counts. It ends after <paramref name="limit"/> bytes: a blob's file
/// grown past its size (or replaced by a link to an endless device) is judged after one byte too
/// many, not read to its end.
/// </summary>
internal sealed class PacedReadStream(Stream inner, RateLimiter? pace, long limit) : Stream
{
    /// <summary>The largest single read: 256 KiB (so a read never waits long for its permits).</summary>
    public const int MaxRead = 256 * 1024;

    /// <summary>Bytes read so far.</summary>
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException("A paced stream only moves forward.");
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Memory<byte> slice = buffer[..(int)Math.Min(Math.Min(buffer.Length, MaxRead), limit - BytesRead)];
        if (slice.IsEmpty)
        {
            return 0;
        }

        if (pace is not null)
        {
            using RateLimitLease lease = await pace.AcquireAsync((slice.Length + 1023) / 1024, cancellationToken).ConfigureAwait(false);
        }

        int read = await inner.ReadAsync(slice, cancellationToken).ConfigureAwait(false);
        BytesRead += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("A paced stream is read asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A paced stream only moves forward.");

    public override void SetLength(long value) => throw new NotSupportedException("A paced stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A paced stream is read-only.");
}
