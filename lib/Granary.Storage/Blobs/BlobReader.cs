using Granary.Blobs.Protocol;

using Granary.Hashing.Verified;
using Granary.Storage.IO;

namespace Granary.Storage.Blobs;

/// <summary>An open blob: its metadata, data and outboard. Dispose to close the files.</summary>
public sealed class BlobReader(BlobInfo info, FileStorage data, FileStorage outboard) : IDisposable
{
    /// <summary>The blob's metadata at open time.</summary>
    public BlobInfo Info { get; } = info;

    /// <summary>The blob's bytes.</summary>
    public IRandomAccessStorage Data => data;

    /// <summary>The blob's outboard (post-order parents).</summary>
    public IRandomAccessStorage Outboard => outboard;

    /// <summary>Writes the verified encoding of <paramref name="ranges"/> to <paramref name="output"/>.</summary>
    public Task EncodeAsync(ChunkRanges ranges, Stream output, CancellationToken cancellationToken = default) =>
        BaoEncoder.EncodeAsync(data, outboard, Info.Size, ranges, output, cancellationToken);

    /// <inheritdoc/>
    public void Dispose()
    {
        data.Dispose();
        outboard.Dispose();
    }
}
