using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;

namespace Granary.Transfers.Messages;

/// <summary>
/// <c>open</c> (or <c>restart</c>): the initiator asks for a channel — push or pull of a blob or
/// collection, its size for a push, and the voucher that authorizes it. A restart repeats the
/// request of a channel that exists; the responder checks it names the same base, paths and voucher.
/// </summary>
public sealed record TransferOpen(ulong TransferId, TransferDirection Direction, Blake3Hash Base, long Size, Voucher Voucher) : TransferMessage(TransferId)
{
    /// <summary>The op of a new channel.</summary>
    public const string Op = "open";

    /// <summary>The op of a restarted one.</summary>
    public const string RestartOp = "restart";

    /// <summary>True for a restart of an existing channel.</summary>
    public bool IsRestart { get; init; }

    /// <summary>The selector: paths within the base collection to move (<see cref="PathSelector"/>); empty: all of it. Field <c>paths</c>, absent when empty.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <inheritdoc/>
    public override MetadataBlock ToBlock() => new(
    [
        .. Fields(IsRestart ? RestartOp : Op),
        new("dir", Direction == TransferDirection.Push ? "push" : "pull"),
        new("base", Base.ToArray()),
        new("size", Size),
        .. PathsFields(Paths),
        .. VoucherFields(Voucher),
    ]);

    internal static TransferOpen Read(MetadataBlock block, ulong id, bool restart)
    {
        TransferDirection direction = block.Text("dir") switch
        {
            "push" => TransferDirection.Push,
            "pull" => TransferDirection.Pull,
            var other => throw new TransferProtocolException($"'dir' must be push or pull, not '{other}'."),
        };
        long size = block.Number("size") ?? 0;
        if (size < 0)
        {
            throw new TransferProtocolException($"'size' must not be negative ({size}).");
        }

        return new TransferOpen(id, direction, block.RequiredHash("base", "An open"), size, ReadVoucher(block)) { IsRestart = restart, Paths = ReadPaths(block) };
    }
}
