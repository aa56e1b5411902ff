using System.Security.Cryptography;
using Granary.Transfers.Channels;

namespace Granary.Transfers.Vouchers;

/// <summary>
/// Validates <see cref="Grant"/>s: signed by a trusted key, not expired, naming the requesting
/// peer, for this direction and this blob; a blob larger than the quota is accepted with a data
/// limit (the channel pauses there until a new voucher is accepted). Every refusal is one
/// sentence naming the failed check — it reaches the other side as the voucher result.
/// </summary>
/// <param name="trustedKeys">Public keys whose grants this side honours (ECDSA P-256).</param>
public sealed class GrantValidator(IEnumerable<ECDsa> trustedKeys) : IVoucherValidator
{
    private readonly Dictionary<Hashing.Blake3Hash, ECDsa> _trusted = trustedKeys.ToDictionary(Grant.KeyId);

    /// <inheritdoc/>
    public string VoucherType => Grant.VoucherType;

    /// <inheritdoc/>
    public VoucherValidation ValidatePush(ChannelRequest request) => Validate(request, TransferDirection.Push);

    /// <inheritdoc/>
    public VoucherValidation ValidatePull(ChannelRequest request) => Validate(request, TransferDirection.Pull);

    /// <inheritdoc/>
    /// <remarks>
    /// A restart continues a channel the grant already admitted, so the grant's expiry is not
    /// checked again (expiry bounds when channels may start; a silo crash must not fail a running
    /// channel). Everything else is: signature, issuer, peer, direction, hash. A new voucher is
    /// validated as a push or pull, expiry included.
    /// </remarks>
    public VoucherValidation ValidateRestart(ChannelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Validate(request, request.Direction, checkExpiry: false);
    }

    private VoucherValidation Validate(ChannelRequest request, TransferDirection direction, bool checkExpiry = true)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Voucher.Type != Grant.VoucherType)
        {
            return VoucherValidation.Refuse(request.Voucher.Type, $"This validator reads {Grant.VoucherType} vouchers, not '{request.Voucher.Type}'.");
        }

        Grant grant;
        try
        {
            grant = Grant.Decode(request.Voucher.Body.Span);
        }
        catch (FormatException error)
        {
            return Refuse($"The grant cannot be read: {error.Message}.");
        }

        if (!_trusted.TryGetValue(grant.Issuer, out ECDsa? key))
        {
            return Refuse($"The grant was issued by key {grant.Issuer.ToString()[..16]}…, which this cluster does not trust.");
        }

        if (!grant.IsSignedBy(key))
        {
            return Refuse("The grant's signature does not verify: it was altered or forged.");
        }

        if (checkExpiry && request.At >= grant.Expires)
        {
            return Refuse($"The grant expired at {grant.Expires:u}.");
        }

        if (grant.Counterparty != request.Peer)
        {
            return Refuse($"The grant is for node {grant.Counterparty}, not {request.Peer}: a grant cannot be used by another node.");
        }

        if (grant.Direction != direction)
        {
            return Refuse($"The grant allows {Word(grant.Direction)}, not {Word(direction)}.");
        }

        if (!grant.Hashes.Contains(request.Base))
        {
            return Refuse($"The grant does not cover {request.Base}.");
        }

        string granted = $"{Word(direction)} of {request.Base.ToString()[..16]}… up to {grant.ByteQuota:N0} bytes until {grant.Expires:u}";
        return new VoucherValidation(true, new VoucherResult(Grant.VoucherType, true, $"Granted: {granted}."))
        {
            DataLimit = request.Size > grant.ByteQuota ? grant.ByteQuota : null,
        };
    }

    private static VoucherValidation Refuse(string message) => VoucherValidation.Refuse(Grant.VoucherType, message);

    private static string Word(TransferDirection direction) => direction == TransferDirection.Push ? "push" : "pull";
}
