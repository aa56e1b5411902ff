using Granary.Transport;

namespace Granary.Grains.Serialization;

/// <summary>Lets Orleans serialize <see cref="NodeId"/> through <see cref="NodeIdSurrogate"/>.</summary>
[RegisterConverter]
public sealed class NodeIdConverter : IConverter<NodeId, NodeIdSurrogate>
{
    /// <inheritdoc/>
    public NodeId ConvertFromSurrogate(in NodeIdSurrogate surrogate) => NodeId.Parse(surrogate.Text);

    /// <inheritdoc/>
    public NodeIdSurrogate ConvertToSurrogate(in NodeId value) => new(value.ToString());
}
