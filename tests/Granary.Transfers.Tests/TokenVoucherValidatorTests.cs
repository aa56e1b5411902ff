using System.Text;
using Granary.Transfers.Channels;
using Granary.Transfers.Vouchers;
using static Granary.Transfers.Tests.Samples;

namespace Granary.Transfers.Tests;

/// <summary>The trusted peers' voucher: the cluster's token is accepted for every kind of request, any other body refused.</summary>
public sealed class TokenVoucherValidatorTests
{
    private const string Token = "cluster-admin-token";
    private readonly TokenVoucherValidator _validator = new(Token);

    public static TheoryData<string> Kinds() => ["push", "pull", "restart"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_cluster_token_is_accepted_without_a_limit(string kind)
    {
        VoucherValidation result = Validate(_validator, kind, TokenVoucherValidator.ToVoucher(Token));
        Assert.True(result.Accepted, result.Result.Message);
        Assert.Equal((TokenVoucherValidator.Type, true), (result.Result.Type, result.Result.Accepted));
        Assert.Null(result.DataLimit);
        Assert.False(result.ForcePause);
    }

    public static TheoryData<string, byte[]> Wrong() => new()
    {
        { "another token", Encoding.UTF8.GetBytes("someone-elses-token") },
        { "a prefix of the token", Encoding.UTF8.GetBytes(Token[..^1]) },
        { "the token and more", Encoding.UTF8.GetBytes(Token + "x") },
        { "the token in capitals", Encoding.UTF8.GetBytes(Token.ToUpperInvariant()) },
        { "nothing", [] },
    };

    [Theory]
    [MemberData(nameof(Wrong))]
    public void Any_other_body_is_refused_for_every_kind(string name, byte[] body)
    {
        foreach (string kind in new[] { "push", "pull", "restart" })
        {
            VoucherValidation result = Validate(_validator, kind, new Voucher(TokenVoucherValidator.Type, body));
            Assert.False(result.Accepted, $"{name} ({kind})");
            Assert.Equal("The token in the voucher is not this cluster's admin token.", result.Result.Message);
        }
    }

    [Fact]
    public void A_cluster_without_a_token_accepts_no_token_voucher_not_even_an_empty_one()
    {
        var tokenless = new TokenVoucherValidator(string.Empty);
        Assert.False(Validate(tokenless, "push", TokenVoucherValidator.ToVoucher(string.Empty)).Accepted);
        Assert.False(Validate(tokenless, "pull", TokenVoucherValidator.ToVoucher(Token)).Accepted);
    }

    [Fact]
    public void The_voucher_carries_the_token_as_utf8_under_its_type()
    {
        Voucher voucher = TokenVoucherValidator.ToVoucher("tök");
        Assert.Equal(("granary/token/1", "granary/token/1"), (voucher.Type, _validator.VoucherType));
        Assert.Equal(Encoding.UTF8.GetBytes("tök"), voucher.Body.ToArray());
        Assert.True(Validate(new TokenVoucherValidator("tök"), "pull", voucher).Accepted);
    }

    private static VoucherValidation Validate(TokenVoucherValidator validator, string kind, Voucher voucher)
    {
        var request = new ChannelRequest(new ChannelId(Partner, Us, 1), Partner, kind == "pull" ? TransferDirection.Pull : TransferDirection.Push, Dataset, 1000, voucher, Now);
        return kind switch
        {
            "push" => validator.ValidatePush(request),
            "pull" => validator.ValidatePull(request),
            _ => validator.ValidateRestart(request),
        };
    }
}
