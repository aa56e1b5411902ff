using System.Runtime.Intrinsics;
using static Granary.Hashing.Blake3Constants;

namespace Granary.Hashing;

/// <summary>
/// Chooses the widest SIMD kernel the CPU supports and hashes batches of inputs with it,
/// finishing a batch's remainder with narrower kernels.
/// </summary>
internal static unsafe class Blake3Simd
{
    /// <summary>The widest backend this CPU runs.</summary>
    public static Blake3Backend Best { get; } =
        Lanes16.IsSupported ? Blake3Backend.Avx512
        : Lanes8.IsSupported ? Blake3Backend.Avx2
        : Lanes4.IsSupported ? Blake3Backend.Sse41
        : Blake3Backend.Scalar;

    /// <summary>Whether <paramref name="backend"/> can run on this CPU.</summary>
    public static bool IsSupported(Blake3Backend backend) => backend switch
    {
        Blake3Backend.Scalar => true,
        Blake3Backend.Sse41 => Lanes4.IsSupported,
        Blake3Backend.Avx2 => Lanes8.IsSupported,
        Blake3Backend.Avx512 => Lanes16.IsSupported,
        _ => false,
    };

    /// <summary>
    /// Hashes <paramref name="count"/> inputs of <paramref name="blocks"/> full blocks each,
    /// laid out one after another, and writes one 32-byte chaining value per input.
    /// For chunks, <paramref name="counter"/> is the first chunk's index and increments per input;
    /// for parent nodes it stays 0.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void HashMany(
        Blake3Backend backend, byte* input, int count, int blocks, uint* key, ulong counter, bool incrementCounter,
        uint flags, uint flagsStart, uint flagsEnd, byte* output)
    {
        nint stride = (nint)blocks * BlockLen;
        int degree = (int)backend;
        while (count > 0)
        {
            while (degree > count && degree > 1)
            {
                degree = degree == 16 ? 8 : degree == 8 ? 4 : 1;
            }

            switch (degree)
            {
                case 16:
                    HashManyKernel.HashGroup<Lanes16, Vector512<uint>>(input, stride, blocks, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output);
                    break;
                case 8:
                    HashManyKernel.HashGroup<Lanes8, Vector256<uint>>(input, stride, blocks, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output);
                    break;
                case 4:
                    HashManyKernel.HashGroup<Lanes4, Vector128<uint>>(input, stride, blocks, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output);
                    break;
                default:
                    HashOne(input, blocks, key, counter, flags, flagsStart, flagsEnd, output);
                    break;
            }

            input += degree * stride;
            output += degree * OutLen;
            count -= degree;
            if (incrementCounter)
            {
                counter += (ulong)degree;
            }
        }
    }

    private static void HashOne(byte* input, int blocks, uint* key, ulong counter, uint flags, uint flagsStart, uint flagsEnd, byte* output)
    {
        Span<uint> cv = stackalloc uint[8];
        new ReadOnlySpan<uint>(key, 8).CopyTo(cv);
        for (int b = 0; b < blocks; b++)
        {
            uint blockFlags = flags | (b == 0 ? flagsStart : 0) | (b == blocks - 1 ? flagsEnd : 0);
            Blake3Compression.Compress(cv, new ReadOnlySpan<byte>(input + (b * BlockLen), BlockLen), BlockLen, counter, blockFlags, cv);
        }

        cv.CopyTo(new Span<uint>(output, 8));
    }
}
