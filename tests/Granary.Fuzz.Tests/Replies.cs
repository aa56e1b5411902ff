using Granary.Blobs.Protocol;

namespace Granary.Fuzz.Tests;

/// <summary>
/// The check every reply parser shares: <see cref="BlobReply.ReadOrErrorAsync{T}"/> reads a block
/// that must be a <typeparamref name="T"/> or an <see cref="ErrorReply"/>, and its docs (and
/// <see cref="IBlobReply{TSelf}.Parse"/>'s) allow only a 400 <see cref="BlobProtocolException"/>.
/// An accepted reply must re-encode to a block that reads back the same, unless its re-encoding no
/// longer fits a frame: a client shows replies and never sends them on, and remote text made
/// printable (control characters as escapes) may grow up to six times.
/// </summary>
/// <typeparam name="T">The reply kind expected.</typeparam>
internal static class Replies<T>
    where T : BlobReply, IBlobReply<T>
{
    private static readonly Rejection Refused = Rejection.Status(BlobStatus.BadRequest);

    /// <summary>Reads one frame as a client expecting a <typeparamref name="T"/>; true if it was a reply (of the kind, or an error).</summary>
    /// <exception cref="FuzzFindingException">An undocumented exception, a valid reply refused or changed, an accepted one that does not survive a round trip.</exception>
    public static bool Check(FrameInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        string parser = $"BlobReply.ReadOrErrorAsync<{typeof(T).Name}>";
        if (!Documented.TryParse(parser, () => Read(input.Open()), out BlobReply? reply, Refused) || reply is null)
        {
            Documented.Require(input.Kind != FrameKind.Valid, $"a valid reply was refused by {parser}");
            return false;
        }

        byte[] once = reply.ToBlock().ToFrame();
        if (input.Kind == FrameKind.Valid)
        {
            Frames.RequireSame(input.Bytes, once, $"a valid reply did not read back as itself ({parser})");
        }

        if (!Frames.Fits(once))
        {
            // A reply is shown, not sent on: text made printable (escapes) may outgrow the frame it came in.
            return true;
        }

        Documented.Require(Documented.TryParse($"{parser} (re-read)", () => Read(new MemoryStream(once)), out BlobReply? again, Refused) && again is not null, $"the accepted {reply.GetType().Name} re-encodes to a block {parser} refuses");
        Frames.RequireSame(once, again!.ToBlock().ToFrame(), $"the accepted {reply.GetType().Name} does not survive a second round trip");
        return true;
    }

    private static BlobReply? Read(Stream stream)
    {
        using (stream)
        {
            return BlobReply.ReadOrErrorAsync<T>(stream, CancellationToken.None).GetAwaiter().GetResult();
        }
    }
}
