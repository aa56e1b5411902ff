using System.Runtime.CompilerServices;
using static Granary.Hashing.Blake3Constants;

namespace Granary.Hashing;

/// <summary>A 64-byte block, stored inline.</summary>
[InlineArray(BlockLen)]
internal struct BlockBytes
{
    private byte _element;
}
