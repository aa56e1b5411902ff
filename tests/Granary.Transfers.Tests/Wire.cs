using Granary.Blobs.Protocol;

namespace Granary.Transfers.Tests;

/// <summary>
/// A block as a peer receives it: framed, then read back. Parsers must be given decoded blocks —
/// a block built in memory holds C# strings where the wire has bytes, and reads as malformed.
/// </summary>
internal static class Wire
{
    /// <summary>The fields, framed and read back.</summary>
    public static async Task<MetadataBlock> ThroughAsync(IEnumerable<KeyValuePair<string, object>> fields) =>
        (await MetadataBlock.ReadAsync(new MemoryStream(new MetadataBlock(fields).ToFrame()), CancellationToken.None))!;

    /// <summary>The block, framed and read back.</summary>
    public static Task<MetadataBlock> ThroughAsync(MetadataBlock block) => ThroughAsync(block.Fields);
}
