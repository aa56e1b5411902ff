using Granary.Blobs.Protocol;
using Granary.Transfers.Channels;

namespace Granary.Transfers.Messages;

/// <summary>
/// <c>voucher-result</c>: the validating side's answer to an open, a restart or a new voucher —
/// accepted or refused with the validator's sentence, and how an accepted channel runs (a data
/// limit, paused from the start, finalization required).
/// </summary>
public sealed record TransferVoucherResultMessage(ulong TransferId, VoucherResult Result) : TransferMessage(TransferId)
{
    /// <summary>The op.</summary>
    public const string Op = "voucher-result";

    /// <summary>Bytes the channel may move before it pauses for a new voucher; null: no limit.</summary>
    public long? DataLimit { get; init; }

    /// <summary>The channel starts paused by the validating side.</summary>
    public bool Paused { get; init; }

    /// <summary>The bytes the channel moves in all, as the responder counts them (a pull's blob and a collection's members); null if not told.</summary>
    public long? Size { get; init; }

    /// <summary>The channel waits for a final voucher before completing.</summary>
    public bool RequiresFinalization { get; init; }

    /// <inheritdoc/>
    public override MetadataBlock ToBlock()
    {
        List<KeyValuePair<string, object>> fields =
        [
            .. Fields(Op),
            new("type", Result.Type),
            new("accepted", Result.Accepted ? 1L : 0L),
            new("message", Result.Message.Length > 1024 ? Result.Message[..1024] : Result.Message),
            new("paused", Paused ? 1L : 0L),
            new("finalize", RequiresFinalization ? 1L : 0L),
        ];
        if (DataLimit is { } limit)
        {
            fields.Add(new("limit", limit));
        }

        if (Size is { } size)
        {
            fields.Add(new("size", size));
        }

        return new MetadataBlock(fields);
    }

    internal static TransferVoucherResultMessage Read(MetadataBlock block, ulong id)
    {
        long? limit = block.Number("limit");
        long? size = block.Number("size");
        if (size < 0)
        {
            throw new TransferProtocolException($"'size' must not be negative ({size}).");
        }

        if (limit < 0)
        {
            throw new TransferProtocolException($"'limit' must not be negative ({limit}).");
        }

        string type = block.Text("type") ?? throw new TransferProtocolException("A voucher result needs its 'type'.");
        if (type.Length > 64)
        {
            // It answers a voucher, whose type is 1 to 64 characters: a longer one answers nothing sent.
            throw new TransferProtocolException($"A voucher result's 'type' is at most 64 characters, not {type.Length}.");
        }

        var result = new VoucherResult(type, Flag(block, "accepted"), Kept(block.Text("message")) ?? string.Empty);
        return new TransferVoucherResultMessage(id, result) { DataLimit = limit, Size = size, Paused = Flag(block, "paused"), RequiresFinalization = Flag(block, "finalize") };
    }

    private static bool Flag(MetadataBlock block, string key) => block.Number(key) switch
    {
        null or 0 => false,
        1 => true,
        var other => throw new TransferProtocolException($"'{key}' must be 0 or 1, not {other}."),
    };
}
