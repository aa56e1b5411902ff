using CsCheck;
using Granary.Blobs.Protocol;
using Granary.Transfers.Messages;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes <c>granary/transfer/1</c> as a silo and a client read it: <see cref="TransferMessage.Parse"/>
/// and <see cref="TransferAdminRequest.Parse"/> (the silo's two entry points, fed every frame of the
/// ALPN, channel messages and admin requests mixed), and the replies <see cref="ChannelReport"/>,
/// <see cref="GrantReply"/> and <see cref="VoucherResultReply"/>. Inputs: valid messages by their
/// records, edited at the field, bencode and frame level, raw bytes. Proves: requests are refused
/// only with <see cref="TransferProtocolException"/> (after the framing's 400), replies only with a
/// 400 <see cref="BlobProtocolException"/>; valid ones read back as themselves; accepted ones survive
/// a round trip unchanged; within the time and allocation bounds.
/// </summary>
public sealed class TransferMessageFuzzTests(ITestOutputHelper output)
{
    private static readonly Gen<MetadataBlock> Messages = TransferMessages.Message.Select(m => m.ToBlock());

    private static readonly Gen<MetadataBlock> AdminRequests = TransferMessages.AdminRequest.Select(r => r.ToBlock());

    private static readonly Gen<MetadataBlock> Both = Gen.OneOf(Messages, AdminRequests);

    private static readonly Gen<MetadataBlock> AnyReply = TransferMessages.Reply.Select(r => r.ToBlock());

    [Fact]
    public void TransferMessage_is_parsed_or_refused_with_TransferProtocolException() =>
        FuzzRunner.Run(output, "TransferMessage.Parse", Inputs.Frames(Messages, Both), input => input.Bytes.Length, input =>
            Check(input, "TransferMessage.Parse", TransferMessage.Parse, message => message.ToBlock()));

    [Fact]
    public void TransferAdminRequest_is_parsed_or_refused_with_TransferProtocolException() =>
        FuzzRunner.Run(output, "TransferAdminRequest.Parse", Inputs.Frames(AdminRequests, Both), input => input.Bytes.Length, input =>
            Check(input, "TransferAdminRequest.Parse", TransferAdminRequest.Parse, request => request.ToBlock()));

    [Fact]
    public void ChannelReport_is_read_or_refused_with_a_400() => RunReply<ChannelReport>(TransferMessages.Report.Select(r => (BlobReply)r));

    [Fact]
    public void GrantReply_is_read_or_refused_with_a_400() => RunReply<GrantReply>(TransferMessages.Voucher.Select(v => (BlobReply)new GrantReply(v)));

    [Fact]
    public void VoucherResultReply_is_read_or_refused_with_a_400() => RunReply<VoucherResultReply>(TransferMessages.VoucherResult.Select(m => (BlobReply)new VoucherResultReply(m)));

    private void RunReply<T>(Gen<BlobReply> kind)
        where T : BlobReply, IBlobReply<T>
    {
        Gen<MetadataBlock> valid = Gen.Frequency((4, kind), (1, BlobMessages.Error.Select(e => (BlobReply)e))).Select(r => r.ToBlock());
        FuzzRunner.Run(output, $"BlobReply.ReadOrErrorAsync<{typeof(T).Name}>", Inputs.Frames(valid, AnyReply), input => input.Bytes.Length, Replies<T>.Check);
    }

    /// <summary>One frame through the framing and one of the silo's parsers; the accepted message must encode back to what it read.</summary>
    private static bool Check<T>(FrameInput input, string parser, Func<MetadataBlock, T> parse, Func<T, MetadataBlock> encode)
    {
        if (!Frames.TryRead(input, out MetadataBlock block))
        {
            return false;
        }

        if (!Documented.TryParse(parser, () => parse(block), out T message, Rejection.Of<TransferProtocolException>()))
        {
            Documented.Require(input.Kind != FrameKind.Valid, $"a valid message was refused by {parser}");
            return false;
        }

        byte[] once = encode(message).ToFrame();
        if (input.Kind == FrameKind.Valid)
        {
            Frames.RequireSame(input.Bytes, once, $"a valid message did not read back as itself ({parser})");
        }

        Documented.Require(Documented.TryParse($"{parser} (re-read)", () => parse(Frames.Reread(encode(message))), out T again, Rejection.Of<TransferProtocolException>()), $"an accepted {message!.GetType().Name} re-encodes to a block {parser} refuses");
        Frames.RequireSame(once, encode(again).ToFrame(), $"an accepted {message.GetType().Name} does not survive a second round trip");
        return true;
    }
}
