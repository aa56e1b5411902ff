using Granary.Transfers.Channels;
using Granary.Transfers.Vouchers;

namespace Granary.Examples.Validators;

/// <summary>
/// An operator's own voucher type, <c>example/allow-list/1</c>: any push or pull is accepted from a
/// node listed in the file that the environment variable <c>GRANARY_ALLOW_LIST</c> names (one node
/// id per line, <c>#</c> comments), with no quota; anyone else is refused with a sentence that
/// names the file. The voucher's body is not read: the peer's node id comes from its QUIC
/// handshake (<see cref="ChannelRequest.Peer"/>), never from the voucher.
/// </summary>
/// <remarks>
/// Load it into a silo with <c>granary silo run … --voucher-validator path/to/Granary.Examples.Validators.dll</c>:
/// the silo registers every public <see cref="IVoucherValidator"/> with a parameterless constructor
/// that the assembly exports. The list is read on each request, so edits apply at once.
/// </remarks>
public sealed class NodeAllowListValidator : IVoucherValidator
{
    /// <summary>The voucher type's name.</summary>
    public const string Type = "example/allow-list/1";

    /// <summary>The environment variable that names the allow-list file.</summary>
    public const string ListVariable = "GRANARY_ALLOW_LIST";

    /// <inheritdoc/>
    public string VoucherType => Type;

    /// <inheritdoc/>
    public VoucherValidation ValidatePush(ChannelRequest request) => Validate(request);

    /// <inheritdoc/>
    public VoucherValidation ValidatePull(ChannelRequest request) => Validate(request);

    /// <inheritdoc/>
    public VoucherValidation ValidateRestart(ChannelRequest request) => Validate(request);

    private static VoucherValidation Validate(ChannelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? path = Environment.GetEnvironmentVariable(ListVariable);
        if (path is null || !File.Exists(path))
        {
            return VoucherValidation.Refuse(Type, $"This silo's allow list is not set up ({ListVariable} names no file).");
        }

        bool listed = File.ReadLines(path)
            .Select(line => line.Split('#')[0].Trim())
            .Any(line => line == request.Peer.ToString());
        return listed
            ? new VoucherValidation(true, new VoucherResult(Type, true, $"Accepted: {request.Peer} is on the allow list."))
            : VoucherValidation.Refuse(Type, $"Node {request.Peer} is not on the allow list ({Path.GetFileName(path)}).");
    }
}
