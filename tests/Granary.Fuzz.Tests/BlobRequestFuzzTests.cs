using CsCheck;
using Granary.Blobs.Protocol;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes <see cref="BlobRequest.ReadAsync"/> (framing, then <see cref="BlobRequest.Parse"/>) with
/// every valid request kind, edited at the field, bencode and frame level, and raw bytes. Proves: a
/// refusal is only ever a <see cref="BlobProtocolException"/> with a status the docs list for it
/// (400 framing or field, 405 op, 450/451 size); every valid request reads back as itself; every
/// request the parser accepts re-encodes to a block it accepts again, unchanged (the silo's handler
/// only ever sees what a client could have sent); within the time and allocation bounds.
/// </summary>
public sealed class BlobRequestFuzzTests(ITestOutputHelper output)
{
    /// <summary>The refusals <see cref="BlobRequest.Parse"/> documents.</summary>
    private static readonly Rejection Refused = Rejection.Status(BlobStatus.BadRequest, BlobStatus.UnknownOperation, BlobStatus.NoSize, BlobStatus.BadSize);

    [Fact]
    public void Every_request_frame_is_read_or_refused_with_its_documented_status() =>
        FuzzRunner.Run(output, "BlobRequest.ReadAsync", Inputs.Frames(BlobMessages.Request.Select(r => r.ToBlock())), input => input.Bytes.Length, Check);

    internal static bool Check(FrameInput input)
    {
        if (!Frames.TryRead(input, out MetadataBlock block))
        {
            return false;
        }

        if (!Documented.TryParse("BlobRequest.Parse", () => BlobRequest.Parse(block), out BlobRequest request, Refused))
        {
            Documented.Require(input.Kind != FrameKind.Valid, "a valid request was refused");
            return false;
        }

        byte[] once = request.ToBlock().ToFrame();
        if (input.Kind == FrameKind.Valid)
        {
            Frames.RequireSame(input.Bytes, once, "a valid request did not encode back to its own frame");
        }

        // Whatever was accepted is what a client could have sent: it reads back, and encodes the same again.
        Documented.Require(Documented.TryParse("BlobRequest.Parse (re-read)", () => BlobRequest.Parse(Frames.Reread(request.ToBlock())), out BlobRequest again, Refused), $"the accepted {request.Operation} request re-encodes to a block its parser refuses");
        Frames.RequireSame(once, again.ToBlock().ToFrame(), $"the accepted {request.Operation} request does not survive a second round trip");
        return true;
    }
}
