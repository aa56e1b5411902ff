using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;

namespace Granary.Blobs.Client;

/// <summary>
/// The one test of whether a blob is a collection, from verified data over the network (a silo's
/// transfer service asks <see cref="BlobCollection.CanBe"/> and <see cref="BlobCollection.TryDecode"/>
/// the same of its store): at most <see cref="BlobCollection.MaxSize"/> bytes, a first block that starts with the collection
/// header (<see cref="BlobCollection.HasHeader"/>), and a body that decodes
/// (<see cref="BlobCollection.TryDecode"/>, which also refuses unsafe paths). Anything else is a
/// plain blob, whatever its first bytes say. <see cref="BlobFetcher"/> and
/// <see cref="Downloader"/> both ask here, so a blob is never a collection to one and a file to the other.
/// </summary>
internal static class CollectionProbe
{
    /// <summary>
    /// Reads the verified first block of <paramref name="hash"/> from <paramref name="provider"/>
    /// (16 KiB: a large plain blob is never fetched to find out) and, only when it starts with the
    /// header, the whole blob. Returns the blob's size, the collection when it is one, and
    /// otherwise why not, with whether it at least started like one (worth a warning: a hostile or
    /// damaged collection is written as a file, never as a tree).
    /// </summary>
    /// <exception cref="BlobProtocolException">The provider refused (not found, expired, …).</exception>
    /// <exception cref="BaoVerificationException">The provider sent bytes that do not verify.</exception>
    /// <exception cref="Transport.QuicException">The provider could not be reached, or went away.</exception>
    public static async Task<(long Size, BlobCollection? Collection, bool StartsLikeOne, string? Problem)> ProbeAsync(
        BlobClient provider, Blake3Hash hash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var start = new MemoryRandomAccessStorage();
        BlobInfo info = await provider.GetAsync(hash, new StorageBaoSink(start, null), ChunkRanges.Chunk(0), cancellationToken).ConfigureAwait(false);
        byte[] first = start.ToArray();
        if (!BlobCollection.CanBe(info.Size, first, out string? notOne))
        {
            return (info.Size, null, false, notOne);
        }

        byte[] bytes = first;
        if (first.Length != info.Size)
        {
            // The first block was not all of it (a blob of one block also proved its size with it).
            using var whole = new MemoryStream((int)info.Size);
            await provider.GetToStreamAsync(hash, whole, cancellationToken).ConfigureAwait(false);
            bytes = whole.ToArray();
        }

        return BlobCollection.TryDecode(bytes, out BlobCollection? collection, out string? problem)
            ? (info.Size, collection, true, null)
            : (info.Size, null, true, problem);
    }
}
