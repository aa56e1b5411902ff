using static Granary.Hashing.Blake3Constants;

namespace Granary.Hashing;

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
