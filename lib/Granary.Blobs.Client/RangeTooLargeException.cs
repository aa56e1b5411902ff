namespace Granary.Blobs.Client;

/// <summary>
/// A read into memory (<see cref="BlobFetcher.ReadAsync"/>) asked for more bytes than its caller
/// allows; nothing was fetched. An <see cref="ArgumentException"/>: the request, not the silo, is at fault.
/// </summary>
public sealed class RangeTooLargeException : ArgumentException
{
    /// <summary><paramref name="length"/> bytes were asked for, at most <paramref name="maxLength"/> allowed.</summary>
    public RangeTooLargeException(long length, long maxLength)
        : base($"{length} bytes is too many to read into memory (at most {maxLength})")
    {
        Length = length;
        MaxLength = maxLength;
    }

    /// <summary>A range that is too large, with no lengths.</summary>
    public RangeTooLargeException()
        : base("the range is too large to read into memory")
    {
    }

    /// <summary>A range that is too large, with a message.</summary>
    public RangeTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>A range that is too large, with a message and a cause.</summary>
    public RangeTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Bytes asked for (the range, clipped to the blob).</summary>
    public long Length { get; }

    /// <summary>The most the caller allows.</summary>
    public long MaxLength { get; }
}
