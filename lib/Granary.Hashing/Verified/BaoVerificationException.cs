namespace Granary.Hashing.Verified;

/// <summary>
/// A verified stream was rejected. Says exactly where: the blocks of the node that failed and
/// their byte range. Everything handed out before this was verified; nothing after it is.
/// </summary>
public sealed class BaoVerificationException : IOException
{
    /// <summary>Creates the exception for a failure at blocks [<paramref name="firstBlock"/>, +<paramref name="blockCount"/>).</summary>
    public BaoVerificationException(BaoFailure failure, long firstBlock, long blockCount, long size, string detail)
        : base(Describe(failure, firstBlock, blockCount, size, detail))
    {
        Failure = failure;
        FirstBlock = firstBlock;
        BlockCount = blockCount;
    }

    /// <summary>What went wrong.</summary>
    public BaoFailure Failure { get; }

    /// <summary>First block of the node at fault (block = 16 KiB).</summary>
    public long FirstBlock { get; }

    /// <summary>Blocks under the node at fault (1 for a block).</summary>
    public long BlockCount { get; }

    private static string Describe(BaoFailure failure, long firstBlock, long blockCount, long size, string detail)
    {
        long start = firstBlock * BaoTree.BlockSize;
        long end = Math.Min(size, (firstBlock + blockCount) * BaoTree.BlockSize);
        string where = blockCount == 1
            ? $"block {firstBlock} (bytes {start}..{end})"
            : $"the parent node over blocks {firstBlock}..{firstBlock + blockCount} (bytes {start}..{end})";
        return failure switch
        {
            BaoFailure.ParentMismatch or BaoFailure.BlockMismatch =>
                $"Verification failed at {where}: it does not match the blob's hash tree. The sender's data is corrupt or is not this blob; {detail}",
            BaoFailure.Truncated => $"The verified stream ended early, while reading {where}; {detail}",
            _ => $"The verified stream has data after its end; {detail}",
        };
    }
}
