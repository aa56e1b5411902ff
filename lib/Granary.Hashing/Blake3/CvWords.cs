using System.Runtime.CompilerServices;

namespace Granary.Hashing;

/// <summary>Eight 32-bit words: a chaining value or key, stored inline.</summary>
[InlineArray(8)]
internal struct CvWords
{
    private uint _element;
}
