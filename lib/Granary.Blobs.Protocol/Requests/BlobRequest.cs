namespace Granary.Blobs.Protocol;

/// <summary>
/// A request of <c>granary/blobs/1</c>: one record per operation, each with one encoding
/// (<see cref="ToBlock"/>) and one parse (<see cref="Parse"/>), used by the client, the silo and
/// the tests alike — the whole wire in one place, as iroh-blobs' <c>protocol.rs</c> makes it one
/// enum. The block's <c>op</c> field names the operation; docs/protocol.md lists the fields.
/// Parsing checks every field's type and bound, so a handler only ever sees a valid request.
/// </summary>
public abstract record BlobRequest
{
    /// <summary>Every operation a silo knows, in the order docs/protocol.md lists them.</summary>
    public static IReadOnlyList<string> Operations { get; } =
        [AuthRequest.Op, PutRequest.Op, GetRequest.Op, GetCollectionRequest.Op, PushRequest.Op, ObserveRequest.Op, InfoRequest.Op,
         ExtendRequest.Op, DeleteRequest.Op, LocateRequest.Op, ClusterStatusRequest.Op, ClusterDrainRequest.Op, ScrubRequest.Op];

    /// <summary>The operation's name on the wire (the <c>op</c> field).</summary>
    public abstract string Operation { get; }

    /// <summary>The request's metadata block.</summary>
    public MetadataBlock ToBlock() => new(Fields().Append(new("op", Operation)));

    /// <summary>Writes the request's metadata block (a PUT's or PUSH's data follows it).</summary>
    public Task WriteAsync(Stream output, CancellationToken cancellationToken) => ToBlock().WriteAsync(output, cancellationToken);

    /// <summary>The request a metadata block carries.</summary>
    /// <exception cref="BlobProtocolException">No or an unknown <c>op</c> (405), or a field missing, of the wrong type or out of bounds (400, 450, 451).</exception>
    public static BlobRequest Parse(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return (block.Text("op") ?? throw new BlobProtocolException(BlobStatus.BadRequest, "the request has no 'op'")) switch
        {
            AuthRequest.Op => AuthRequest.From(block),
            PutRequest.Op => PutRequest.From(block),
            GetRequest.Op => GetRequest.From(block),
            GetCollectionRequest.Op => GetCollectionRequest.From(block),
            PushRequest.Op => PushRequest.From(block),
            ObserveRequest.Op => ObserveRequest.From(block),
            InfoRequest.Op => InfoRequest.From(block),
            ExtendRequest.Op => ExtendRequest.From(block),
            DeleteRequest.Op => DeleteRequest.From(block),
            LocateRequest.Op => LocateRequest.From(block),
            ClusterStatusRequest.Op => ClusterStatusRequest.From(block),
            ClusterDrainRequest.Op => ClusterDrainRequest.From(block),
            ScrubRequest.Op => ScrubRequest.From(block),
            string op => throw new BlobProtocolException(BlobStatus.UnknownOperation, $"unknown op '{op}': this silo knows {string.Join(", ", Operations)}"),
        };
    }

    /// <summary>Reads and parses one request; null if the stream ended before it began.</summary>
    /// <exception cref="BlobProtocolException">As <see cref="MetadataBlock.ReadAsync"/> and <see cref="Parse"/>.</exception>
    public static async Task<BlobRequest?> ReadAsync(Stream input, CancellationToken cancellationToken) =>
        await MetadataBlock.ReadAsync(input, cancellationToken).ConfigureAwait(false) is { } block ? Parse(block) : null;

    /// <summary>The request's fields other than <c>op</c>.</summary>
    protected abstract IEnumerable<KeyValuePair<string, object>> Fields();

    /// <summary>A TTL field in whole seconds, bounded to <see cref="MaxTtlSeconds"/>; null if absent.</summary>
    /// <exception cref="BlobProtocolException">Negative or above the bound (400).</exception>
    internal static TimeSpan? ReadTtl(MetadataBlock block, string what) => block.Number("ttl") switch
    {
        null => null,
        long seconds when seconds is >= 0 and <= MaxTtlSeconds => TimeSpan.FromSeconds(seconds),
        long seconds => throw new BlobProtocolException(BlobStatus.BadRequest, $"{what}'s 'ttl' is {seconds} s; it must be 0 to {MaxTtlSeconds} s (100 years)"),
    };

    /// <summary>The longest TTL a request may carry: 100 years, in seconds (the silo clamps further, to its MaxTtl).</summary>
    public const long MaxTtlSeconds = 100L * 365 * 24 * 3600;

    /// <summary>A TTL as the wire carries it: whole seconds.</summary>
    internal static KeyValuePair<string, object> TtlField(TimeSpan ttl) => new("ttl", (long)ttl.TotalSeconds);

    /// <summary>A hash as the wire carries it: 32 bytes.</summary>
    internal static KeyValuePair<string, object> HashField(Granary.Hashing.Blake3Hash hash) => new("hash", hash.ToArray());
}
