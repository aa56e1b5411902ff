using Granary.Blobs.Protocol;
using Granary.Transfers.Channels;

namespace Granary.Transfers.Messages;

/// <summary>
/// One message of the transfer protocol (<c>granary/transfer/1</c>): a bencoded metadata block
/// with an <c>op</c> and the initiator's <c>id</c> for the channel, the same framing as the blobs
/// protocol. One record per kind, each with one encoding (<see cref="ToBlock"/>) and one parse;
/// <see cref="Parse"/> dispatches on <c>op</c> and bounds every field it reads.
/// </summary>
/// <param name="TransferId">The initiator's number for the channel (with the two node ids, the channel's id).</param>
public abstract record TransferMessage(ulong TransferId)
{
    /// <summary>The block on the wire.</summary>
    public abstract MetadataBlock ToBlock();

    /// <summary>Reads any transfer message.</summary>
    /// <exception cref="TransferProtocolException">Unknown op, a missing or malformed field, a voucher over <see cref="Voucher.MaxBodyBytes"/>.</exception>
    public static TransferMessage Parse(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        try
        {
            string op = block.Text("op") ?? throw new TransferProtocolException("A transfer message needs an 'op'.");
            ulong id = (ulong)(block.Number("id") is { } n && n >= 0 ? n : throw new TransferProtocolException($"The '{op}' message needs a non-negative 'id'."));
            return op switch
            {
                TransferOpen.Op or TransferOpen.RestartOp => TransferOpen.Read(block, id, op == TransferOpen.RestartOp),
                TransferVoucherMessage.Op => new TransferVoucherMessage(id, ReadVoucher(block)),
                TransferVoucherResultMessage.Op => TransferVoucherResultMessage.Read(block, id),
                _ when TransferControl.Ops.Contains(op) && Enum.TryParse(op, ignoreCase: true, out TransferControlKind kind) => new TransferControl(id, kind)
                {
                    Message = Kept(block.Text("message")),
                    FromInitiator = block.Text("from") switch
                    {
                        null or "initiator" => true,
                        "responder" => false,
                        var other => throw new TransferProtocolException($"'from' must be initiator or responder, not '{other}'."),
                    },
                },
                _ => throw new TransferProtocolException($"'{op}' is not a transfer message (open, restart, voucher, voucher-result, {string.Join(", ", TransferControl.Ops)})."),
            };
        }
        catch (BlobProtocolException error)
        {
            throw new TransferProtocolException($"The transfer message is malformed: {error.Message}.", error);
        }
    }

    /// <summary>Longest sentence (a control message's reason, a validator's message) kept from a peer, in characters: 1024, as docs/protocol.md says.</summary>
    public const int MaxMessageLength = 1024;

    /// <summary>
    /// A peer's sentence cut to <see cref="MaxMessageLength"/> characters, as the writer cuts its own:
    /// kept in channel state and sent on in reports, it must not grow a block past its frame (bytes
    /// that are not UTF-8 read as U+FFFD, three bytes each when written again).
    /// </summary>
    internal static string? Kept(string? text) => text is { Length: > MaxMessageLength } ? text[..MaxMessageLength] : text;

    /// <summary>The fields every message starts with.</summary>
    protected List<KeyValuePair<string, object>> Fields(string op) =>
        [new("op", op), new("id", checked((long)TransferId))];

    /// <summary>Reads <c>voucher-type</c> and <c>voucher</c>, bounded.</summary>
    internal static Voucher ReadVoucher(MetadataBlock block)
    {
        string type = block.Text("voucher-type") ?? throw new TransferProtocolException("The message needs a 'voucher-type'.");
        byte[] body = block.Bytes("voucher") ?? throw new TransferProtocolException("The message needs a 'voucher'.");
        if (type.Length is 0 or > 64)
        {
            throw new TransferProtocolException($"A voucher type is 1 to 64 characters, not {type.Length}.");
        }

        return body.Length <= Voucher.MaxBodyBytes
            ? new Voucher(type, body)
            : throw new TransferProtocolException($"The voucher is {body.Length} bytes; the most accepted is {Voucher.MaxBodyBytes}.");
    }

    /// <summary>The voucher's two fields.</summary>
    internal static IEnumerable<KeyValuePair<string, object>> VoucherFields(Voucher voucher) =>
        [new("voucher-type", voucher.Type), new("voucher", voucher.Body.ToArray())];

    /// <summary>The selector's <c>paths</c> field: absent when <paramref name="paths"/> is empty (the whole base).</summary>
    internal static IEnumerable<KeyValuePair<string, object>> PathsFields(IReadOnlyList<string> paths) =>
        paths.Count > 0 ? [new("paths", paths.Select(p => (object)p).ToList())] : [];

    /// <summary>Reads <c>paths</c> (none: the whole base), checked by <see cref="PathSelector.Problem"/>.</summary>
    internal static IReadOnlyList<string> ReadPaths(MetadataBlock block)
    {
        IReadOnlyList<string> paths = block.TextList("paths") ?? [];
        return PathSelector.Problem(paths) is { } problem ? throw new TransferProtocolException($"'paths': {problem}") : paths;
    }
}
