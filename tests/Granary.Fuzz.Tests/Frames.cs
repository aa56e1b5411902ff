using Granary.Blobs.Protocol;

namespace Granary.Fuzz.Tests;

/// <summary>The step every metadata-block protocol shares: reading the frame, whose only documented refusal is a 400.</summary>
internal static class Frames
{
    /// <summary>The block a frame carries; false if <see cref="MetadataBlock.ReadAsync"/> refused it (400) or the stream was empty.</summary>
    /// <exception cref="FuzzFindingException">Any other exception, or a valid frame refused.</exception>
    public static bool TryRead(FrameInput input, out MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(input);
        using Stream stream = input.Open();
        bool read = Documented.TryParse("MetadataBlock.ReadAsync", () => MetadataBlock.ReadAsync(stream, CancellationToken.None).GetAwaiter().GetResult(), out MetadataBlock? found, Rejection.Status(BlobStatus.BadRequest));
        Documented.Require(read || input.Kind != FrameKind.Valid, "a valid frame was refused by MetadataBlock.ReadAsync");
        block = found!;
        return read && found is not null;
    }

    /// <summary>The frame of <paramref name="block"/>, read back: what a peer receives of what this side sent.</summary>
    public static MetadataBlock Reread(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        using var stream = new MemoryStream(block.ToFrame());
        return MetadataBlock.ReadAsync(stream, CancellationToken.None).GetAwaiter().GetResult()
            ?? throw new FuzzFindingException("a block's own frame read back as nothing");
    }

    /// <summary>True if <paramref name="frame"/> is within the framing's limit (<see cref="MetadataBlock.MaxLength"/> bytes of body).</summary>
    public static bool Fits(byte[] frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        int colon = Array.IndexOf(frame, (byte)':');
        return colon >= 0 && frame.Length - colon - 1 <= MetadataBlock.MaxLength;
    }

    /// <summary>Fails unless two frames are the same bytes.</summary>
    public static void RequireSame(byte[] expected, byte[] actual, string rule)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            throw new FuzzFindingException($"{rule}\nexpected {Printer.Bytes(expected)}\nactual   {Printer.Bytes(actual)}");
        }
    }
}
