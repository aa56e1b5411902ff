namespace Granary.Blobs.Protocol;

/// <summary>
/// <c>scrub</c> (admin): re-verify every blob the silo stores now, at full speed, quarantining and
/// restoring damaged copies; replied with a <see cref="ScrubSummary"/> once done (which may take as
/// long as reading the silo's disk).
/// </summary>
public sealed record ScrubRequest : BlobRequest
{
    /// <summary>The operation's name on the wire.</summary>
    public const string Op = "scrub";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [];

    internal static ScrubRequest From(MetadataBlock block) => new();
}
