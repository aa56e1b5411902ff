using CsCheck;
using Granary.Blobs.Protocol;
using Granary.Gossip.Topics;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes <c>granary/topics/1</c>: the silo's <see cref="TopicRequest.Parse"/> and the client's
/// replies <see cref="TopicEvent"/>, <see cref="TopicReport"/> and <see cref="TopicPublished"/>, with
/// valid messages by their records, edited at the field, bencode and frame level, and raw bytes.
/// Proves: requests are refused only with a 400 or 405 <see cref="BlobProtocolException"/>, replies
/// only with a 400; valid ones read back as themselves; accepted ones survive a round trip unchanged;
/// within the time and allocation bounds.
/// </summary>
public sealed class TopicsFuzzTests(ITestOutputHelper output)
{
    private static readonly Rejection Refused = Rejection.Status(BlobStatus.BadRequest, BlobStatus.UnknownOperation);

    private static readonly Gen<MetadataBlock> AnyReply = GossipMessages.TopicReply.Select(r => r.ToBlock());

    [Fact]
    public void TopicRequest_is_parsed_or_refused_with_a_400_or_405() =>
        FuzzRunner.Run(output, "TopicRequest.Parse", Inputs.Frames(GossipMessages.TopicRequest.Select(r => r.ToBlock())), input => input.Bytes.Length, input =>
        {
            if (!Frames.TryRead(input, out MetadataBlock block))
            {
                return false;
            }

            if (!Documented.TryParse("TopicRequest.Parse", () => TopicRequest.Parse(block), out TopicRequest request, Refused))
            {
                Documented.Require(input.Kind != FrameKind.Valid, "a valid topics request was refused");
                return false;
            }

            byte[] once = request.ToBlock().ToFrame();
            if (input.Kind == FrameKind.Valid)
            {
                Frames.RequireSame(input.Bytes, once, "a valid topics request did not read back as itself");
            }

            Documented.Require(Documented.TryParse("TopicRequest.Parse (re-read)", () => TopicRequest.Parse(Frames.Reread(request.ToBlock())), out TopicRequest again, Refused), $"an accepted {request.Operation} re-encodes to a block the parser refuses");
            Frames.RequireSame(once, again.ToBlock().ToFrame(), $"an accepted {request.Operation} does not survive a second round trip");
            return true;
        });

    [Fact]
    public void TopicEvent_is_read_or_refused_with_a_400() => RunReply<TopicEvent>();

    [Fact]
    public void TopicReport_is_read_or_refused_with_a_400() => RunReply<TopicReport>();

    [Fact]
    public void TopicPublished_is_read_or_refused_with_a_400() => RunReply<TopicPublished>();

    private void RunReply<T>()
        where T : BlobReply, IBlobReply<T>
    {
        Gen<MetadataBlock> valid = GossipMessages.TopicReply.Where(r => r is T or ErrorReply).Select(r => r.ToBlock());
        FuzzRunner.Run(output, $"BlobReply.ReadOrErrorAsync<{typeof(T).Name}>", Inputs.Frames(valid, AnyReply), input => input.Bytes.Length, Replies<T>.Check);
    }
}
