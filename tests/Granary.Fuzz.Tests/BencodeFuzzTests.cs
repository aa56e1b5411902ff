using CsCheck;
using Granary.Blobs.Protocol;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes the bencode decoder (<see cref="Bencode.Decode"/>) and the metadata-block framing
/// (<see cref="MetadataBlock.ReadAsync"/>) that every protocol on metadata blocks reads first, with
/// valid values and blocks of every protocol, edited (bit flips, inserted tokens and nesting bombs,
/// inflated length prefixes, truncation, splices) and raw bytes, delivered whole or in trickles.
/// Proves: the decoder refuses only with <see cref="BencodeException"/> and the framing only with a
/// 400 <see cref="BlobProtocolException"/>; valid values decode to themselves; whatever is accepted
/// re-encodes to bytes that decode to the same value; within the time and allocation bounds.
/// </summary>
public sealed class BencodeFuzzTests(ITestOutputHelper output)
{
    /// <summary>Values within the decoder's limits (four levels of nesting).</summary>
    private static readonly Gen<byte[]> ValidValues = BencodeValues.Within.Select(Bencode.Encode);

    /// <summary>Blocks of every protocol on metadata blocks: the framing sees them all.</summary>
    private static readonly Gen<MetadataBlock> AnyBlock = Gen.OneOf(
        BlobMessages.Request.Select(r => r.ToBlock()),
        BlobMessages.Reply.Select(r => r.ToBlock()),
        TransferMessages.Message.Select(m => m.ToBlock()),
        TransferMessages.AdminRequest.Select(r => r.ToBlock()),
        GossipMessages.Frame,
        GossipMessages.TopicRequest.Select(r => r.ToBlock()),
        BencodeValues.Dictionary.Select(fields => new MetadataBlock(fields)));

    [Fact]
    public void Bencode_decodes_or_refuses_with_BencodeException() =>
        FuzzRunner.Run(output, "Bencode.Decode", Inputs.Bytes(ValidValues), input => input.Bytes.Length, input =>
        {
            if (!Documented.TryParse("Bencode.Decode", () => Bencode.Decode(input.Bytes), out object value, Rejection.Of<BencodeException>()))
            {
                Documented.Require(!input.Valid, "a valid bencode value was refused");
                return false;
            }

            byte[] encoded = Bencode.Encode(value);
            if (input.Valid)
            {
                Frames.RequireSame(input.Bytes, encoded, "a valid value did not decode to itself");
            }

            // Accepted bytes may be spelled differently (a string length "01:"), never mean something else.
            Documented.Require(Documented.TryParse("Bencode.Decode (re-read)", () => Bencode.Decode(encoded), out object again, Rejection.Of<BencodeException>()), "an accepted value re-encodes to bytes the decoder refuses");
            Frames.RequireSame(encoded, Bencode.Encode(again), "an accepted value does not survive a second round trip");
            return true;
        });

    [Fact]
    public void Every_frame_is_read_or_refused_with_a_400() =>
        FuzzRunner.Run(output, "MetadataBlock.ReadAsync", Inputs.Frames(AnyBlock), input => input.Bytes.Length, input =>
        {
            if (!Frames.TryRead(input, out MetadataBlock block))
            {
                return false;
            }

            Documented.Require(block.ToFrame().Length <= MetadataBlock.MaxLength + 6, "an accepted block is longer than the framing allows");
            byte[] once = block.ToFrame();
            if (input.Kind == FrameKind.Valid)
            {
                Frames.RequireSame(input.Bytes, once, "a valid block did not read back as itself");
            }

            Frames.RequireSame(once, Frames.Reread(block).ToFrame(), "an accepted block does not survive a round trip");
            return true;
        });
}
