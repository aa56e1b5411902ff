using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using static Granary.Hashing.Blake3Constants;

namespace Granary.Hashing;

/// <summary>
/// An incremental BLAKE3 hasher for all three modes (hash, keyed hash, derive key).
/// Feed input with <see cref="Update(ReadOnlySpan{byte})"/> in pieces of any size; large pieces
/// take the SIMD path, and <see cref="UpdateParallel(ReadOnlySpan{byte}, int)"/> spreads them across threads.
/// </summary>
/// <remarks>Not thread-safe: one hasher serves one caller at a time.</remarks>
public sealed unsafe class Blake3Hasher
{
    /// <summary>Below this, splitting work across threads costs more than it saves.</summary>
    private const long MinParallelUnit = 64 * 1024;

    private CvWords _key;
    private readonly uint _flags;
    private readonly Blake3Backend _backend;
    private ChunkState _chunk;
    private readonly byte[] _cvStack = new byte[(MaxDepth + 1) * OutLen];
    private int _cvStackLength;

    private Blake3Hasher(ReadOnlySpan<uint> key, uint flags, Blake3Backend backend)
    {
        if (!Blake3Simd.IsSupported(backend))
        {
            throw new PlatformNotSupportedException($"The {backend} BLAKE3 backend needs CPU instructions this machine lacks.");
        }

        key.CopyTo(_key);
        _flags = flags;
        _backend = backend;
        _chunk = new ChunkState(key, 0, flags);
    }

    /// <summary>A hasher for the default (unkeyed) mode.</summary>
    public Blake3Hasher()
        : this(Iv, 0, Blake3Simd.Best)
    {
    }

    /// <summary>A hasher for the default mode on a chosen instruction set (tests, benchmarks).</summary>
    public static Blake3Hasher WithBackend(Blake3Backend backend) => new(Iv, 0, backend);

    /// <summary>A hasher for the keyed mode (a MAC or PRF with a 32-byte key).</summary>
    public static Blake3Hasher NewKeyed(ReadOnlySpan<byte> key, Blake3Backend? backend = null)
    {
        if (key.Length != KeyLen)
        {
            throw new ArgumentException($"A BLAKE3 key is exactly {KeyLen} bytes; this one has {key.Length}.", nameof(key));
        }

        return new Blake3Hasher(MemoryMarshal.Cast<byte, uint>(key), KeyedHash, backend ?? Blake3Simd.Best);
    }

    /// <summary>
    /// A hasher for the key derivation mode: the context string (hard-coded, globally unique,
    /// application-specific) selects the key, the input is the key material.
    /// </summary>
    public static Blake3Hasher NewDeriveKey(string context, Blake3Backend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var contextHasher = new Blake3Hasher(Iv, DeriveKeyContext, backend ?? Blake3Simd.Best);
        contextHasher.Update(Encoding.UTF8.GetBytes(context));
        Span<byte> contextKey = stackalloc byte[KeyLen];
        contextHasher.Finalize(contextKey);
        return new Blake3Hasher(MemoryMarshal.Cast<byte, uint>(contextKey), DeriveKeyMaterial, backend ?? Blake3Simd.Best);
    }

    /// <summary>Bytes absorbed so far.</summary>
    public ulong Position => (_chunk.ChunkCounter * ChunkLen) + (ulong)_chunk.Length;

    /// <summary>Absorbs <paramref name="input"/>.</summary>
    public Blake3Hasher Update(ReadOnlySpan<byte> input)
    {
        fixed (byte* p = input)
        {
            UpdateCore(p, input.Length, threads: 1, prepareUnit: null);
        }

        return this;
    }

    /// <summary>
    /// Absorbs <paramref name="length"/> bytes at <paramref name="input"/> (for memory-mapped
    /// files larger than a span), using up to <paramref name="threads"/> threads.
    /// </summary>
    public Blake3Hasher UpdateParallel(byte* input, long length, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        UpdateCore(input, length, threads, prepareUnit: null);
        return this;
    }

    /// <summary>
    /// <see cref="UpdateParallel(byte*, long, int)"/> that calls <paramref name="prepareUnit"/>
    /// (address, length in bytes) on each unit that the parallel split hands to a thread, just
    /// before that thread hashes it: a mapped file's pages are mapped by the thread that reads
    /// them, not serially beforehand. Input hashed serially (less than two parallel units, the
    /// unaligned head and the tail) is not passed to it.
    /// </summary>
    internal Blake3Hasher UpdateParallel(byte* input, long length, int threads, Action<nint, long> prepareUnit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        UpdateCore(input, length, threads, prepareUnit);
        return this;
    }

    /// <summary>Absorbs <paramref name="input"/> using up to <paramref name="threads"/> threads.</summary>
    public Blake3Hasher UpdateParallel(ReadOnlySpan<byte> input, int threads)
    {
        fixed (byte* p = input)
        {
            return UpdateParallel(p, input.Length, threads);
        }
    }

    /// <summary>Returns the 32-byte hash of everything absorbed; the hasher can keep absorbing.</summary>
    public Blake3Hash Finalize()
    {
        Span<byte> bytes = stackalloc byte[OutLen];
        Finalize(bytes);
        return new Blake3Hash(bytes);
    }

    /// <summary>Fills <paramref name="output"/> with the start of the extendable output (any length).</summary>
    public void Finalize(Span<byte> output) => FinalOutput().RootBytes(0, output);

    /// <summary>A reader over the whole extendable output, seekable, of up to 2^64 bytes.</summary>
    public Blake3OutputReader FinalizeXof() => new(FinalOutput());

    private void UpdateCore(byte* input, long length, int threads, Action<nint, long>? prepareUnit)
    {
        if (_chunk.Length > 0)
        {
            int take = (int)Math.Min(ChunkLen - _chunk.Length, length);
            _chunk.Update(new ReadOnlySpan<byte>(input, take));
            input += take;
            length -= take;
            if (length == 0)
            {
                return;
            }

            Span<uint> cv = stackalloc uint[8];
            _chunk.Output().ChainingValue(cv);
            PushCv(MemoryMarshal.AsBytes(cv), _chunk.ChunkCounter);
            _chunk = new ChunkState(_key, _chunk.ChunkCounter + 1, _flags);
        }

        // Whole subtrees are hashed wide; the last bytes (at least one) stay in the chunk state,
        // so the final chunk or parent can still receive the ROOT flag.
        byte* parent = stackalloc byte[2 * OutLen];
        Span<uint> chunkCv = stackalloc uint[8];
        while (length > ChunkLen)
        {
            ulong chunkCounter = _chunk.ChunkCounter;
            long subtreeLength = (long)Blake3Tree.LargestPowerOfTwoAtMost((ulong)length);
            ulong offset = chunkCounter * ChunkLen;

            // A subtree must start at a multiple of its own size to be a node of the tree.
            while ((((ulong)subtreeLength - 1) & offset) != 0)
            {
                subtreeLength /= 2;
            }

            ulong subtreeChunks = (ulong)subtreeLength / ChunkLen;
            if (subtreeLength <= ChunkLen)
            {
                var chunk = new ChunkState(_key, chunkCounter, _flags);
                chunk.Update(new ReadOnlySpan<byte>(input, (int)subtreeLength));
                chunk.Output().ChainingValue(chunkCv);
                PushCv(MemoryMarshal.AsBytes(chunkCv), chunkCounter);
            }
            else if (threads > 1 && subtreeLength >= 2 * MinParallelUnit)
            {
                HashSubtreeInParallel(input, subtreeLength, chunkCounter, threads, prepareUnit);
            }
            else
            {
                fixed (uint* key = &_key[0])
                {
                    Blake3Tree.CompressSubtreeToParentNode(_backend, input, subtreeLength, key, chunkCounter, _flags, parent);
                }

                PushCv(new ReadOnlySpan<byte>(parent, OutLen), chunkCounter);
                PushCv(new ReadOnlySpan<byte>(parent + OutLen, OutLen), chunkCounter + (subtreeChunks / 2));
            }

            _chunk = new ChunkState(_key, chunkCounter + subtreeChunks, _flags);
            input += subtreeLength;
            length -= subtreeLength;
        }

        if (length > 0)
        {
            _chunk.Update(new ReadOnlySpan<byte>(input, (int)length));
            MergeCvStack(_chunk.ChunkCounter);
        }
    }

    /// <summary>
    /// Splits an aligned power-of-two subtree into equal aligned units (themselves subtrees),
    /// hashes the units on up to <paramref name="threads"/> threads, then pushes the two halves
    /// of every unit in order, exactly as the serial path would have.
    /// </summary>
    private void HashSubtreeInParallel(byte* input, long subtreeLength, ulong chunkCounter, int threads, Action<nint, long>? prepareUnit)
    {
        // Thirty-two units per thread: the threads wait for the slowest at the end of every
        // parallel subtree, so a unit is what one thread may be left doing alone.
        long unit = Math.Max(MinParallelUnit, (long)Blake3Tree.LargestPowerOfTwoAtMost((ulong)(subtreeLength / (32L * threads))));
        int units = (int)(subtreeLength / unit);
        byte[] parents = new byte[units * 2 * OutLen];
        nint inputAddress = (nint)input;
        uint[] key = ((ReadOnlySpan<uint>)_key).ToArray();
        uint flags = _flags;
        Blake3Backend backend = _backend;

        Parallel.For(0, units, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            prepareUnit?.Invoke(inputAddress + (nint)(i * unit), unit);
            fixed (byte* parent = &parents[i * 2 * OutLen])
            fixed (uint* keyWords = key)
            {
                Blake3Tree.CompressSubtreeToParentNode(
                    backend, (byte*)inputAddress + (i * unit), unit, keyWords, chunkCounter + (ulong)(i * unit / ChunkLen), flags, parent);
            }
        });

        ulong unitChunks = (ulong)unit / ChunkLen;
        for (int i = 0; i < units; i++)
        {
            ulong unitCounter = chunkCounter + ((ulong)i * unitChunks);
            PushCv(parents.AsSpan(i * 2 * OutLen, OutLen), unitCounter);
            PushCv(parents.AsSpan((i * 2 * OutLen) + OutLen, OutLen), unitCounter + (unitChunks / 2));
        }
    }

    /// <summary>
    /// Merges completed subtrees on the stack. After <paramref name="totalChunks"/> chunks the
    /// stack holds one value per 1-bit of that count; merging waits until more input arrives,
    /// because the last merge of all must be done as the root.
    /// </summary>
    private void MergeCvStack(ulong totalChunks)
    {
        int postMergeLength = BitOperations.PopCount(totalChunks);
        Span<uint> parentCv = stackalloc uint[8];
        while (_cvStackLength > postMergeLength)
        {
            ReadOnlySpan<byte> children = _cvStack.AsSpan((_cvStackLength - 2) * OutLen, 2 * OutLen);
            Blake3Output.ParentNode(children, _key, _flags).ChainingValue(parentCv);
            MemoryMarshal.AsBytes(parentCv).CopyTo(_cvStack.AsSpan((_cvStackLength - 2) * OutLen));
            _cvStackLength--;
        }
    }

    private void PushCv(ReadOnlySpan<byte> cv, ulong chunkCounter)
    {
        MergeCvStack(chunkCounter);
        cv.CopyTo(_cvStack.AsSpan(_cvStackLength * OutLen));
        _cvStackLength++;
    }

    private Blake3Output FinalOutput()
    {
        if (_cvStackLength == 0)
        {
            return _chunk.Output();
        }

        Blake3Output output;
        int remaining = _cvStackLength;
        Span<byte> children = stackalloc byte[2 * OutLen];
        if (_chunk.Length > 0)
        {
            output = _chunk.Output();
        }
        else
        {
            output = Blake3Output.ParentNode(_cvStack.AsSpan((remaining - 2) * OutLen, 2 * OutLen), _key, _flags);
            remaining -= 2;
        }

        Span<uint> rightCv = stackalloc uint[8];
        while (remaining > 0)
        {
            output.ChainingValue(rightCv);
            _cvStack.AsSpan((remaining - 1) * OutLen, OutLen).CopyTo(children);
            MemoryMarshal.AsBytes(rightCv).CopyTo(children[OutLen..]);
            output = Blake3Output.ParentNode(children, _key, _flags);
            remaining--;
        }

        return output;
    }
}
