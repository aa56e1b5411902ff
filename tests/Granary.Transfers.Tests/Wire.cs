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

    /// <summary>A message's fields with some replaced (a null value removes the field): how malformed messages are made.</summary>
    public static Dictionary<string, object> Edited(MetadataBlock block, params (string Key, object? Value)[] changes)
    {
        var fields = new Dictionary<string, object>(block.Fields, StringComparer.Ordinal);
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                fields.Remove(key);
            }
            else
            {
                fields[key] = value;
            }
        }

        return fields;
    }

    /// <summary>The block, framed and read back.</summary>
    public static Task<MetadataBlock> ThroughAsync(MetadataBlock block) => ThroughAsync(block.Fields);
}
