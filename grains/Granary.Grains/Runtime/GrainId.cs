using Granary.Hashing;

namespace Granary.Grains.Runtime;

/// <summary>A grain's identity: its type name and its key (a string, or a 32-byte hash in lowercase hex).</summary>
public readonly record struct GrainId(string Type, string Key)
{
    /// <summary>The grain of <paramref name="type"/> keyed by a hash.</summary>
    public static GrainId ForHash(string type, Blake3Hash key) => new(type, key.ToString());

    /// <inheritdoc/>
    public override string ToString() => $"{Type}/{Key}";
}
