using Granary.Blobs.Protocol;

namespace Granary.Grains.Runtime;

/// <summary>How grain calls and activations behave.</summary>
public sealed class GrainRuntimeOptions
{
    /// <summary>How long a grain call may take, retries included, unless the caller's token ends sooner.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An activation with no turn for this long is deactivated.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often idle activations, and activations this silo no longer owns, are collected.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>A per-silo service reachable by name (the replicator, status): what Orleans calls a system target.</summary>
public interface ISiloService
{
    /// <summary>The name calls address.</summary>
    string Name { get; }

    /// <summary>Runs <paramref name="method"/>; throw <see cref="BlobProtocolException"/> for errors the caller should see.</summary>
    Task<BlobMessage> InvokeAsync(string method, BlobMessage arguments, CancellationToken cancellationToken);
}
