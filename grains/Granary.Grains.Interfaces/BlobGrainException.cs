using Granary.Blobs.Protocol;

namespace Granary.Grains;

/// <summary>
/// A grain call failed in a way the blobs protocol reports to clients: carries the protocol status
/// (<see cref="BlobStatus"/>) across silos, so the silo that serves the client answers with it.
/// </summary>
[GenerateSerializer]
public sealed class BlobGrainException : Exception
{
    /// <summary>Creates one with status 500.</summary>
    public BlobGrainException()
        : this(BlobStatus.Internal, "the cluster failed")
    {
    }

    /// <summary>Creates one with status 500.</summary>
    public BlobGrainException(string message)
        : this(BlobStatus.Internal, message)
    {
    }

    /// <summary>Creates one with status 500 and its cause.</summary>
    public BlobGrainException(string message, Exception innerException)
        : base(message, innerException) => Status = BlobStatus.Internal;

    /// <summary>Creates one with <paramref name="status"/>.</summary>
    public BlobGrainException(BlobStatus status, string message)
        : base(message) => Status = status;

    /// <summary>The blobs-protocol status (404, 410, 503, …).</summary>
    [Id(0)]
    public BlobStatus Status { get; private set; }

    /// <summary>The same failure as the blobs protocol's exception.</summary>
    public BlobProtocolException ToProtocolException() => new(Status, Message);
}
