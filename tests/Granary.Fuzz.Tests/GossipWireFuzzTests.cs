using Granary.Blobs.Protocol;
using Granary.Gossip.Net;
using Granary.Gossip.Proto;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes <c>granary/gossip/1</c> as a silo reads a peer's stream: <see cref="MetadataBlock.ReadAsync"/>
/// then <see cref="GossipWire.Decode"/>, with every HyParView and PlumTree message as
/// <see cref="GossipWire.Encode"/> writes it, edited at the field, bencode and frame level, and raw
/// bytes. Proves: a frame is refused only with a 400 <see cref="BlobProtocolException"/> (which
/// ends the stream, docs/protocol.md); valid frames decode to themselves; accepted ones survive a
/// round trip unchanged, so every bound (peers, ids, ttl, round, content) holds on what is accepted;
/// within the time and allocation bounds.
/// </summary>
public sealed class GossipWireFuzzTests(ITestOutputHelper output)
{
    private static readonly Rejection Refused = Rejection.Status(BlobStatus.BadRequest);

    [Fact]
    public void Gossip_frames_are_decoded_or_refused_with_a_400() =>
        FuzzRunner.Run(output, "GossipWire.Decode", Inputs.Frames(GossipMessages.Frame), input => input.Bytes.Length, input =>
        {
            if (!Frames.TryRead(input, out MetadataBlock block))
            {
                return false;
            }

            if (!Documented.TryParse("GossipWire.Decode", () => GossipWire.Decode(block, GossipMessages.MaxContent), out (TopicId Topic, GossipMessage<SiloTicket> Message) decoded, Refused))
            {
                Documented.Require(input.Kind != FrameKind.Valid, "a valid gossip frame was refused");
                return false;
            }

            byte[] once = GossipWire.Encode(decoded.Topic, decoded.Message).ToFrame();
            if (input.Kind == FrameKind.Valid)
            {
                Frames.RequireSame(input.Bytes, once, "a valid gossip frame did not decode to itself");
            }

            Documented.Require(Documented.TryParse("GossipWire.Decode (re-read)", () => GossipWire.Decode(Frames.Reread(GossipWire.Encode(decoded.Topic, decoded.Message)), GossipMessages.MaxContent), out var again, Refused), $"an accepted {decoded.Message.GetType().Name} re-encodes to a frame the decoder refuses");
            Frames.RequireSame(once, GossipWire.Encode(again.Topic, again.Message).ToFrame(), $"an accepted {decoded.Message.GetType().Name} does not survive a second round trip");
            return true;
        });
}
