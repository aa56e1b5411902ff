using System.Globalization;
using System.Text;
using CsCheck;
using Granary.Blobs.Protocol;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Turns a generator of valid messages into fuzz inputs: the valid messages themselves (for the
/// round trip), edited ones (bit flips, inserts, deletes, truncation, repeated runs, numbers and
/// length prefixes inflated, two messages spliced; field-level edits for metadata blocks) and raw
/// random bytes or text. Every edit is itself a CsCheck value, so a failure shrinks to a small edit.
/// </summary>
internal static class Inputs
{
    /// <summary>One byte-level edit.</summary>
    public static readonly Gen<ByteMutation> ByteEdit =
        Gen.Select(Gen.Enum<MutationKind>(), Gen.UInt, Gen.UInt, Gen.Int[0, 4096], (kind, where, extent, choice) => new ByteMutation(kind, where, extent, choice));

    /// <summary>One text-level edit.</summary>
    public static readonly Gen<TextMutation> TextEdit =
        Gen.Select(Gen.Enum<MutationKind>(), Gen.UInt, Gen.UInt, Gen.Int[0, 65535], (kind, where, extent, choice) => new TextMutation(kind, where, extent, choice));

    /// <summary>One field-level edit of a block.</summary>
    public static readonly Gen<FieldMutation> FieldEdit =
        Gen.Select(Gen.Enum<FieldMutationKind>(), Gen.UInt, Gen.UInt, BencodeValues.Any, (kind, key, extent, value) => new FieldMutation(kind, key, extent, value));

    /// <summary>Reads of all at once most of the time, a trickle of 1 to 7 bytes per read otherwise.</summary>
    private static readonly Gen<int> Chunk = Gen.Frequency((4, Gen.Const(0)), (1, Gen.Int[1, 7]));

    /// <summary>Random text: ASCII, any UTF-16 unit, or the tokens of the text formats.</summary>
    private static readonly Gen<string> RandomText = Gen.Frequency(
        (2, Gen.String[Gen.Char[' ', '~'], 0, 80]),
        (1, Gen.String[0, 80]),
        (1, Gen.OneOf(Interesting.TextTokens).Array[0, 12].Select(string.Concat)));

    /// <summary>Frames for a metadata-block parser, from its valid blocks.</summary>
    public static Gen<FrameInput> Frames(Gen<MetadataBlock> valid) => Frames(valid, valid);

    /// <summary>
    /// Frames for a metadata-block parser, from its valid blocks; splices and field swaps take their
    /// second message from <paramref name="others"/> (another kind of reply where this one is expected).
    /// </summary>
    public static Gen<FrameInput> Frames(Gen<MetadataBlock> valid, Gen<MetadataBlock> others) => Gen.Frequency(
        (10, Gen.Select(valid, Chunk, (block, chunk) => new FrameInput(block.ToFrame(), FrameKind.Valid, chunk))),
        (35, Gen.Select(valid, others, FieldEdit.Array[1, 3], Chunk, (block, other, edits, chunk) =>
        {
            IReadOnlyDictionary<string, object> fields = block.Fields;
            foreach (FieldMutation edit in edits)
            {
                fields = edit.Apply(fields, other.Fields);
            }

            return new FrameInput(Frame(Bencode.Encode(fields)), FrameKind.FieldMutated, chunk);
        })),
        (25, Gen.Select(valid, others, ByteEdit.Array[1, 4], Chunk, (block, other, edits, chunk) =>
            new FrameInput(Frame(Edit(Bencode.Encode(block.Fields), Bencode.Encode(other.Fields), edits)), FrameKind.BodyMutated, chunk))),
        (20, Gen.Select(valid, others, ByteEdit.Array[1, 4], Chunk, (block, other, edits, chunk) =>
            new FrameInput(Edit(block.ToFrame(), other.ToFrame(), edits), FrameKind.FrameMutated, chunk))),
        (10, Gen.Select(RawBytes, Chunk, (bytes, chunk) => new FrameInput(bytes, FrameKind.Raw, chunk))));

    /// <summary>Inputs for a parser of bytes, from its valid messages.</summary>
    public static Gen<ByteInput> Bytes(Gen<byte[]> valid) => Gen.Frequency(
        (1, valid.Select(bytes => new ByteInput(bytes, Valid: true))),
        (6, Gen.Select(valid, valid, ByteEdit.Array[1, 4], (bytes, other, edits) => new ByteInput(Edit(bytes, other, edits), Valid: false))),
        (1, RawBytes.Select(bytes => new ByteInput(bytes, Valid: false))));

    /// <summary>Inputs for a parser of text, from its valid texts.</summary>
    public static Gen<TextInput> Texts(Gen<string> valid) => Gen.Frequency(
        (1, valid.Select(text => new TextInput(text, Valid: true))),
        (6, Gen.Select(valid, valid, TextEdit.Array[1, 4], (text, other, edits) => new TextInput(edits.Aggregate(text, (t, e) => e.Apply(t, other)), Valid: false))),
        (1, RandomText.Select(text => new TextInput(text, Valid: false))));

    /// <summary>Random bytes, a random bencode value, or a random value framed as a block.</summary>
    public static readonly Gen<byte[]> RawBytes = Gen.Frequency(
        (2, Gen.Byte.Array[0, 64]),
        (2, BencodeValues.Any.Select(Bencode.Encode)),
        (2, BencodeValues.Dictionary.Select(d => Frame(Bencode.Encode(d)))));

    /// <summary>A body framed as a metadata block: its length in decimal, ':', the body.</summary>
    public static byte[] Frame(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return [.. Encoding.ASCII.GetBytes(body.Length.ToString(CultureInfo.InvariantCulture) + ":"), .. body];
    }

    private static byte[] Edit(byte[] bytes, byte[] other, ByteMutation[] edits) => edits.Aggregate(bytes, (b, e) => e.Apply(b, other));
}
