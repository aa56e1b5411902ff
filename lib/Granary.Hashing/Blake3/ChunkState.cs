using System.Runtime.CompilerServices;
using static Granary.Hashing.Blake3Constants;

namespace Granary.Hashing;

/// <summary>Eight 32-bit words: a chaining value or key, stored inline.</summary>
[InlineArray(8)]
internal struct CvWords
{
    private uint _element;
}

/// <summary>A 64-byte block, stored inline.</summary>
[InlineArray(BlockLen)]
internal struct BlockBytes
{
    private byte _element;
}

/// <summary>
/// The state of one chunk being hashed incrementally. The last block is always held back in
/// <see cref="_block"/> so that it can be compressed with CHUNK_END (and, for a one-chunk input, ROOT).
/// </summary>
internal struct ChunkState
{
    private CvWords _cv;
    private BlockBytes _block;
    private readonly uint _flags;
    private int _blockLength;
    private int _blocksCompressed;

    public ChunkState(ReadOnlySpan<uint> key, ulong chunkCounter, uint flags)
    {
        key[..8].CopyTo(_cv);
        ChunkCounter = chunkCounter;
        _flags = flags;
    }

    /// <summary>Index of this chunk in the input.</summary>
    public ulong ChunkCounter { get; }

    /// <summary>Bytes absorbed so far (at most <see cref="ChunkLen"/>).</summary>
    public readonly int Length => (_blocksCompressed * BlockLen) + _blockLength;

    private readonly uint StartFlag => _blocksCompressed == 0 ? ChunkStart : 0;

    public void Update(ReadOnlySpan<byte> input)
    {
        if (_blockLength > 0)
        {
            int take = Math.Min(BlockLen - _blockLength, input.Length);
            input[..take].CopyTo(((Span<byte>)_block)[_blockLength..]);
            _blockLength += take;
            input = input[take..];
            if (!input.IsEmpty)
            {
                Blake3Compression.Compress(_cv, _block, BlockLen, ChunkCounter, _flags | StartFlag, _cv);
                _blocksCompressed++;
                _blockLength = 0;
                ((Span<byte>)_block).Clear();
            }
        }

        while (input.Length > BlockLen)
        {
            Blake3Compression.Compress(_cv, input[..BlockLen], BlockLen, ChunkCounter, _flags | StartFlag, _cv);
            _blocksCompressed++;
            input = input[BlockLen..];
        }

        input.CopyTo(((Span<byte>)_block)[_blockLength..]);
        _blockLength += input.Length;
    }

    public readonly Blake3Output Output() =>
        new(_cv, _block[.._blockLength], (uint)_blockLength, ChunkCounter, _flags | StartFlag | ChunkEnd);
}

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
