namespace Granary.Grains.Serialization;

/// <summary>A <see cref="Hashing.Blake3Hash"/> on the wire between silos: its hex form.</summary>
/// <param name="Hex">64 lower-case hex digits.</param>
[GenerateSerializer]
public readonly record struct Blake3HashSurrogate([property: Id(0)] string Hex);
