using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using static Granary.Transfers.Tests.Samples;

namespace Granary.Transfers.Tests;

/// <summary>How a person names a channel: the forms read, what each names, and the refusals that say which forms are meant.</summary>
public sealed class ChannelRefTests
{
    public static TheoryData<string, ulong, bool> Accepted() => new()
    {
        { "123", 123, false },
        { "0", 0, false },
        { "  42\n", 42, false },
        { "9223372036854775807", long.MaxValue, false },
        { $"{Partner}/123", 123, true },
        { $"{Partner}:{Us}:123", 123, true },
        { $" {Partner}/7 ", 7, true },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Each_form_names_the_channel_and_its_side(string text, ulong id, bool responderSide)
    {
        ChannelRef channel = ChannelRef.Parse(text);
        Assert.Equal(id, channel.TransferId);
        Assert.Equal(responderSide ? Partner : null, channel.Initiator);
        Assert.Equal(responderSide ? ChannelSide.Responder : ChannelSide.Initiator, channel.Side);
        Assert.Equal(channel, ChannelRef.Parse(channel.ToString()));
    }

    [Fact]
    public void A_full_channel_id_names_the_responder_side_of_its_initiator()
    {
        var id = new ChannelId(Partner, Us, 99);
        Assert.Equal(new ChannelRef(99, Partner), ChannelRef.Parse(id.ToString()));
        Assert.Equal($"{Partner}/99", new ChannelRef(99, Partner).ToString());
        Assert.Equal("99", new ChannelRef(99).ToString());
    }

    public static TheoryData<string> Refused() =>
    [
        "",
        "   ",
        "abc",
        "-1",
        "+1",
        "1.5",
        "1e3",
        "0x10",
        "9223372036854775808",
        "18446744073709551616",
        "nobody/5",
        $"{Partner}/",
        $"{Partner}/x",
        "/5",
        $"{Partner}/{Us}/a/5",
        $"{Partner.ToString()[..51]}/5",
    ];

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_text_that_names_no_channel_is_a_format_error_naming_the_expected_forms(string text)
    {
        var error = Assert.Throws<FormatException>(() => ChannelRef.Parse(text));
        Assert.Contains($"'{text}' does not name a channel", error.Message, StringComparison.Ordinal);
        Assert.Contains("INITIATOR/ID", error.Message, StringComparison.Ordinal);
    }
}
