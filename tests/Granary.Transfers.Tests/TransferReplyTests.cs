using Granary.Blobs.Protocol;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;

namespace Granary.Transfers.Tests;

/// <summary>The transfer replies other than the channel report through their reply frames: a grant, a voucher result and the end of a list.</summary>
public sealed class TransferReplyTests
{
    [Fact]
    public async Task A_grant_reply_carries_the_voucher_type_and_body()
    {
        var voucher = new Voucher("granary/grant/1", Enumerable.Range(0, Voucher.MaxBodyBytes).Select(i => (byte)i).ToArray());
        GrantReply back = await BlobReply.ReadAsync<GrantReply>(new MemoryStream(new GrantReply(voucher).ToBlock().ToFrame()), default);
        Assert.Equal(voucher.Type, back.Voucher.Type);
        Assert.Equal(voucher.Body.ToArray(), back.Voucher.Body.ToArray());
    }

    [Fact]
    public async Task A_grant_reply_without_a_voucher_is_refused()
    {
        MetadataBlock block = await Wire.ThroughAsync([new("status", 200L), new("voucher-type", "granary/grant/1")]);
        var error = Assert.Throws<BlobProtocolException>(() => GrantReply.Parse(block));
        Assert.Equal(BlobStatus.BadRequest, error.Status);
        Assert.Contains("needs a 'voucher'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_voucher_result_reply_carries_every_field_of_the_result()
    {
        var message = new TransferVoucherResultMessage(42, new VoucherResult("granary/grant/1", true, "Granted: up to 1 GiB."))
        {
            DataLimit = 1L << 30,
            Size = 3L << 30,
            Paused = true,
            RequiresFinalization = true,
        };

        VoucherResultReply back = await BlobReply.ReadAsync<VoucherResultReply>(new MemoryStream(new VoucherResultReply(message).ToBlock().ToFrame()), default);

        Assert.Equal(42UL, back.Message.TransferId);
        Assert.Equal(message.Result, back.Message.Result);
        Assert.Equal((1L << 30, 3L << 30, true, true), (back.Message.DataLimit, back.Message.Size, back.Message.Paused, back.Message.RequiresFinalization));
        Assert.Equal(200L, new VoucherResultReply(message).ToBlock().Number("status"));
    }

    [Fact]
    public async Task A_reply_that_is_another_message_is_not_a_voucher_result()
    {
        MetadataBlock control = await Wire.ThroughAsync(new TransferControl(1, TransferControlKind.Pause).ToBlock());
        var error = Assert.Throws<BlobProtocolException>(() => VoucherResultReply.Parse(control));
        Assert.Equal(BlobStatus.BadRequest, error.Status);
        Assert.Contains("not a voucher result", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_end_block_is_recognised_and_a_report_is_not_taken_for_it()
    {
        MetadataBlock end = (await MetadataBlock.ReadAsync(new MemoryStream(SeriesEnd.Instance.ToBlock().ToFrame()), default))!;
        Assert.True(SeriesEnd.Is(end));
        Assert.Equal(200L, end.Number("status"));
        Assert.Same(SeriesEnd.Instance, SeriesEnd.Parse(end));
        Assert.False(SeriesEnd.Is(new MetadataBlock([new("status", 200L), new("side", "initiator")])));
        Assert.False(SeriesEnd.Is(new MetadataBlock([new("status", 200L), new("end", 0L)])));
    }
}
