using static Granary.Hashing.Blake3Constants;

namespace Granary.Hashing;

/// <summary>
/// A compression that has not been run yet: either it becomes a chaining value (an inner node)
/// or, with ROOT set, the hash and any amount of extended output.
/// </summary>
internal readonly struct Blake3Output
{
    private readonly CvWords _inputCv;
    private readonly BlockBytes _block;
    private readonly uint _blockLength;
    private readonly ulong _counter;
    private readonly uint _flags;

    public Blake3Output(ReadOnlySpan<uint> inputCv, ReadOnlySpan<byte> block, uint blockLength, ulong counter, uint flags)
    {
        inputCv[..8].CopyTo(_inputCv);
        block.CopyTo(_block);
        _blockLength = blockLength;
        _counter = counter;
        _flags = flags;
    }

    /// <summary>The output of a parent node whose children have the 64 bytes of <paramref name="childCvs"/>.</summary>
    public static Blake3Output ParentNode(ReadOnlySpan<byte> childCvs, ReadOnlySpan<uint> key, uint flags) =>
        new(key, childCvs, BlockLen, 0, flags | Parent);

    public void ChainingValue(Span<uint> cv8) =>
        Blake3Compression.Compress(_inputCv, _block[..(int)_blockLength], _blockLength, _counter, _flags, cv8);

    /// <summary>
    /// Writes root output bytes starting at byte <paramref name="position"/> of the extendable output.
    /// </summary>
    public void RootBytes(ulong position, Span<byte> destination)
    {
        Span<uint> words = stackalloc uint[16];
        ulong blockCounter = position / BlockLen;
        int skip = (int)(position % BlockLen);
        while (!destination.IsEmpty)
        {
            Blake3Compression.CompressXof(_inputCv, _block[..(int)_blockLength], _blockLength, blockCounter, _flags | Root, words);
            ReadOnlySpan<byte> bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(words)[skip..];
            int take = Math.Min(bytes.Length, destination.Length);
            bytes[..take].CopyTo(destination);
            destination = destination[take..];
            blockCounter++;
            skip = 0;
        }
    }
}
