using System.Security.Cryptography;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transfers.Vouchers;
using Granary.Transport;
using static Granary.Transfers.Tests.Samples;

namespace Granary.Transfers.Tests;

/// <summary>Grants signed with real ECDSA P-256 keys, judged by the validator: each check, and what the refusal says.</summary>
public sealed class GrantValidatorTests : IDisposable
{
    private readonly ECDsa _clusterKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly GrantValidator _validator;

    public GrantValidatorTests() => _validator = new GrantValidator([_clusterKey]);

    public void Dispose()
    {
        _clusterKey.Dispose();
        _otherKey.Dispose();
    }

    [Fact]
    public void A_grant_signed_by_the_cluster_for_this_peer_and_blob_is_accepted_and_survives_the_wire()
    {
        Grant grant = Terms().SignWith(_clusterKey);
        Grant decoded = Grant.Decode(grant.ToVoucher().Body.Span);
        Assert.Equal(grant.ToVoucher().Body.ToArray(), decoded.ToVoucher().Body.ToArray());
        Assert.True(decoded.IsSignedBy(_clusterKey));

        VoucherValidation result = _validator.ValidatePush(Request(grant.ToVoucher()));
        Assert.True(result.Accepted, result.Result.Message);
        Assert.Null(result.DataLimit);
        Assert.StartsWith("Granted: push of", result.Result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blob_larger_than_the_quota_is_accepted_with_a_data_limit_at_the_quota()
    {
        Voucher voucher = (Terms() with { ByteQuota = 1000 }).SignWith(_clusterKey).ToVoucher();
        VoucherValidation result = _validator.ValidatePush(Request(voucher, size: 5000));
        Assert.True(result.Accepted);
        Assert.Equal(1000, result.DataLimit);
    }

    public static TheoryData<string, string> Refusals() => new()
    {
        { "forged", "signature does not verify" },
        { "untrusted", "which this cluster does not trust" },
        { "expired", "expired at 2026-12-02 11:00:00Z" },
        { "another peer", "cannot be used by another node" },
        { "wrong direction", "allows pull, not push" },
        { "other blob", "does not cover" },
        { "garbage", "cannot be read" },
        { "unsigned", "not signed" },
        { "wrong type", "reads granary/grant/1 vouchers, not 'someone/else'" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_grant_that_fails_a_check_is_refused_with_a_sentence_naming_it(string fault, string words)
    {
        Grant signed = Terms().SignWith(_clusterKey);
        Voucher voucher = fault switch
        {
            // Terms changed after signing: the quota raised by whoever carried it.
            "forged" => Reencode(signed with { ByteQuota = long.MaxValue }),
            "untrusted" => Terms().SignWith(_otherKey).ToVoucher(),
            "expired" => (Terms() with { Expires = Now.AddHours(-1) }).SignWith(_clusterKey).ToVoucher(),
            "another peer" => (Terms() with { Counterparty = NodeId.FromPublicKey([9]) }).SignWith(_clusterKey).ToVoucher(),
            "wrong direction" => (Terms() with { Direction = TransferDirection.Pull }).SignWith(_clusterKey).ToVoucher(),
            "other blob" => (Terms() with { Hashes = [Blake3.Hash([4])] }).SignWith(_clusterKey).ToVoucher(),
            "garbage" => new Voucher(Grant.VoucherType, new byte[] { (byte)'d', (byte)'9', (byte)'9' }),
            "unsigned" => Unsigned(signed),
            _ => new Voucher("someone/else", signed.ToVoucher().Body),
        };

        VoucherValidation result = _validator.ValidatePush(Request(voucher));

        Assert.False(result.Accepted);
        Assert.False(result.Result.Accepted);
        Assert.Contains(words, result.Result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_restart_continues_a_channel_past_its_grants_expiry_but_checks_everything_else_again()
    {
        Voucher voucher = Terms().SignWith(_clusterKey).ToVoucher();
        Assert.True(_validator.ValidateRestart(Request(voucher)).Accepted);

        // The grant admitted the channel before it expired: a crash and restart must not fail it.
        Assert.True(_validator.ValidateRestart(Request(voucher) with { At = Now.AddDays(2) }).Accepted);

        // A new channel (or a new voucher) after the expiry is refused.
        VoucherValidation fresh = _validator.ValidatePush(Request(voucher) with { At = Now.AddDays(2) });
        Assert.False(fresh.Accepted);
        Assert.Contains("expired", fresh.Result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_bounds_terms_cannot_be_signed_or_read()
    {
        Assert.Throws<ArgumentException>(() => (Terms() with { Hashes = [] }).SignWith(_clusterKey));
        Assert.Throws<ArgumentException>(() => (Terms() with { ByteQuota = 0 }).SignWith(_clusterKey));
        Assert.Throws<ArgumentException>(() => (Terms() with { Hashes = [.. Enumerable.Range(0, Grant.MaxHashes + 1).Select(i => Blake3.Hash(BitConverter.GetBytes(i)))] }).SignWith(_clusterKey));
        Assert.Contains("most accepted", Assert.Throws<FormatException>(() => Grant.Decode(new byte[Voucher.MaxBodyBytes + 1])).Message, StringComparison.Ordinal);
        using var rsaSized = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Throws<ArgumentException>(() => Terms().SignWith(rsaSized));
    }

    private static Voucher Reencode(Grant grant) => grant.ToVoucher();

    private static Voucher Unsigned(Grant signed)
    {
        // The same terms with the 'sig' field taken out of the dictionary.
        var fields = (SortedDictionary<string, object>)Granary.Blobs.Protocol.Bencode.Decode(signed.ToVoucher().Body.Span);
        fields.Remove("sig");
        return new Voucher(Grant.VoucherType, Granary.Blobs.Protocol.Bencode.Encode(fields));
    }

    private static ChannelRequest Request(Voucher voucher, long size = 4096) =>
        new(new ChannelId(Partner, Us, 1), Partner, TransferDirection.Push, Dataset, size, voucher, Now);
}
