namespace Granary.Hashing.Verified;

/// <summary>What was wrong with a verified stream.</summary>
public enum BaoFailure
{
    /// <summary>A parent node does not hash to what its parent (or the root hash) says.</summary>
    ParentMismatch,

    /// <summary>A block's data does not hash to what its parent (or the root hash) says.</summary>
    BlockMismatch,

    /// <summary>The stream ended before the encoding did.</summary>
    Truncated,

    /// <summary>The stream goes on after the encoding ended.</summary>
    TrailingData,
}
