using Granary.Blobs.Protocol;
using Granary.Hashing;

namespace Granary.Blobs.Client;

/// <summary>Bytes of a blob read into memory by <see cref="BlobFetcher.ReadAsync"/>, every one verified.</summary>
/// <param name="Hash">The blob.</param>
/// <param name="BlobSize">Bytes in the whole blob.</param>
/// <param name="Start">Offset of <paramref name="Bytes"/> in the blob.</param>
/// <param name="Bytes">The bytes read: the range asked for, clipped to the blob's end.</param>
/// <param name="Provider">The silo they came from.</param>
#pragma warning disable CA1819 // The bytes are the result; a copy per access would double a 64 MiB read.
public sealed record FetchedRange(Blake3Hash Hash, long BlobSize, long Start, byte[] Bytes, SiloTicket Provider);
#pragma warning restore CA1819
