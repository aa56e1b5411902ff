using System.Runtime.CompilerServices;

namespace Granary.Blobs.Protocol;

/// <summary>
/// A reply of <c>granary/blobs/1</c>: one record per kind, each with one encoding
/// (<see cref="ToBlock"/>) and one parse (<see cref="IBlobReply{TSelf}.Parse"/>). Every reply block
/// carries <c>status</c>; a non-200 one is an <see cref="ErrorReply"/>, which a reader turns into
/// the <see cref="BlobProtocolException"/> it stands for.
/// </summary>
public abstract record BlobReply
{
    /// <summary>The reply's status: 200 except for <see cref="ErrorReply"/>.</summary>
    public virtual BlobStatus Status => BlobStatus.Ok;

    /// <summary>The reply's metadata block.</summary>
    public MetadataBlock ToBlock() => new(Fields().Append(new("status", (long)Status)));

    /// <summary>Writes the reply's metadata block.</summary>
    public Task WriteAsync(Stream output, CancellationToken cancellationToken) => ToBlock().WriteAsync(output, cancellationToken);

    /// <summary>Reads a reply that must be a <typeparamref name="T"/>.</summary>
    /// <exception cref="BlobProtocolException">The peer's error (its status and message), a malformed reply (400), or no reply at all (500).</exception>
    public static async Task<T> ReadAsync<T>(Stream input, CancellationToken cancellationToken)
        where T : BlobReply, IBlobReply<T> =>
        await MetadataBlock.ReadAsync(input, cancellationToken).ConfigureAwait(false) is { } block
            ? ParseOrThrow<T>(block)
            : throw new BlobProtocolException(BlobStatus.Internal, "the silo closed the request without a reply");

    /// <summary>Reads a reply that is a <typeparamref name="T"/> or an <see cref="ErrorReply"/>; null if the stream ended first.</summary>
    /// <exception cref="BlobProtocolException">A malformed reply (400).</exception>
    public static async Task<BlobReply?> ReadOrErrorAsync<T>(Stream input, CancellationToken cancellationToken)
        where T : BlobReply, IBlobReply<T>
    {
        return await MetadataBlock.ReadAsync(input, cancellationToken).ConfigureAwait(false) is { } block ? Parse<T>(block) : null;
    }

    /// <summary>
    /// Reads a series of <typeparamref name="T"/> replies (a list, a watch, a subscription) until its
    /// <see cref="SeriesEnd"/> or the end of the stream; an error reply anywhere ends it with its exception.
    /// </summary>
    /// <exception cref="BlobProtocolException">The peer's error (its status and message), or a malformed reply (400).</exception>
    public static async IAsyncEnumerable<T> ReadSeriesAsync<T>(Stream input, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : BlobReply, IBlobReply<T>
    {
        while (await MetadataBlock.ReadAsync(input, cancellationToken).ConfigureAwait(false) is { } block)
        {
            if (block.Number("status") == (long)BlobStatus.Ok && SeriesEnd.Is(block))
            {
                yield break;
            }

            yield return ParseOrThrow<T>(block);
        }
    }

    /// <summary>The one reading of a reply block: a <typeparamref name="T"/> if its status is 200, else the <see cref="ErrorReply"/> it carries.</summary>
    /// <exception cref="BlobProtocolException">No status (400), or a malformed <typeparamref name="T"/>.</exception>
    private static BlobReply Parse<T>(MetadataBlock block)
        where T : BlobReply, IBlobReply<T>
    {
        long status = block.Number("status") ?? throw new BlobProtocolException(BlobStatus.BadRequest, "the reply has no status");
        return status == (long)BlobStatus.Ok ? T.Parse(block) : ErrorReply.From(block, status);
    }

    /// <summary>A <typeparamref name="T"/> if the block's status is 200; else the exception its <see cref="ErrorReply"/> stands for is thrown.</summary>
    private static T ParseOrThrow<T>(MetadataBlock block)
        where T : BlobReply, IBlobReply<T>
    {
        BlobReply reply = Parse<T>(block);
        return reply as T ?? throw ((ErrorReply)reply).ToException();
    }

    /// <summary>The reply's fields other than <c>status</c>.</summary>
    protected abstract IEnumerable<KeyValuePair<string, object>> Fields();
}
