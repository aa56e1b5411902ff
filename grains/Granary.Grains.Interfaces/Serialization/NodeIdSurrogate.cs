namespace Granary.Grains.Serialization;

/// <summary>A <see cref="Transport.NodeId"/> on the wire between silos: its text form.</summary>
/// <param name="Text">The node id as <see cref="Transport.NodeId.ToString"/> prints it.</param>
[GenerateSerializer]
public readonly record struct NodeIdSurrogate([property: Id(0)] string Text);
