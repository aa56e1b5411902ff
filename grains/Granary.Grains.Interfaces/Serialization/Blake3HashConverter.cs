using Granary.Hashing;

namespace Granary.Grains.Serialization;

/// <summary>Lets Orleans serialize <see cref="Blake3Hash"/> (a type from a library without Orleans) through <see cref="Blake3HashSurrogate"/>.</summary>
[RegisterConverter]
public sealed class Blake3HashConverter : IConverter<Blake3Hash, Blake3HashSurrogate>
{
    /// <inheritdoc/>
    public Blake3Hash ConvertFromSurrogate(in Blake3HashSurrogate surrogate) => Blake3Hash.Parse(surrogate.Hex);

    /// <inheritdoc/>
    public Blake3HashSurrogate ConvertToSurrogate(in Blake3Hash value) => new(value.ToString());
}
