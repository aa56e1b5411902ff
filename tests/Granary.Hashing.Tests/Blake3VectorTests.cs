using System.Text;
using System.Text.Json;
using Granary.Hashing;

namespace Granary.Hashing.Tests;

/// <summary>The official BLAKE3 test vectors, in every mode, on every instruction set this CPU has.</summary>
public sealed class Blake3VectorTests
{
    private static readonly JsonDocument Vectors =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "blake3_test_vectors.json")));

    private static string Key => Vectors.RootElement.GetProperty("key").GetString()!;

    private static string Context => Vectors.RootElement.GetProperty("context_string").GetString()!;

    /// <summary>Every backend this CPU can run (xunit 2 has no run-time skip; the CI machine has all four).</summary>
    public static TheoryData<Blake3Backend> Backends()
    {
        var data = new TheoryData<Blake3Backend>();
        foreach (Blake3Backend backend in Enum.GetValues<Blake3Backend>().Where(Blake3Simd.IsSupported))
        {
            data.Add(backend);
        }

        return data;
    }

    private static byte[] Input(int length)
    {
        byte[] input = new byte[length];
        for (int i = 0; i < length; i++)
        {
            input[i] = (byte)(i % 251);
        }

        return input;
    }

    private static IEnumerable<(int Length, string Hash, string Keyed, string Derived)> Cases() =>
        Vectors.RootElement.GetProperty("cases").EnumerateArray().Select(c => (
            c.GetProperty("input_len").GetInt32(),
            c.GetProperty("hash").GetString()!,
            c.GetProperty("keyed_hash").GetString()!,
            c.GetProperty("derive_key").GetString()!));

    /// <summary>
    /// The suite runs this project a second time with the runtime's AVX-512 switched off
    /// (build.cake), so that the narrower kernels' layout for 16 vector registers (a state row in
    /// memory) is what the vector tests run; this fails if the runtime stops honouring the switch
    /// or the kernels stop asking for that layout.
    /// </summary>
    [Avx512SwitchedOffFact]
    public void With_AVX512_switched_off_the_narrower_kernels_keep_a_state_row_in_memory()
    {
        Assert.False(System.Runtime.Intrinsics.X86.Avx512F.IsSupported);
        Assert.False(Blake3Simd.IsSupported(Blake3Backend.Avx512));
        Assert.NotEqual(Blake3Backend.Avx512, Blake3Simd.Best);
        Assert.False(Lanes8.StateFitsInRegisters);
        Assert.False(Lanes4.StateFitsInRegisters);
    }

    [Fact]
    public void The_vector_file_has_all_35_cases()
    {
        Assert.Equal(35, Cases().Count());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Hash_matches_every_vector_in_one_update(Blake3Backend backend)
    {
        foreach (var c in Cases())
        {
            byte[] output = new byte[c.Hash.Length / 2];
            Blake3Hasher.WithBackend(backend).Update(Input(c.Length)).Finalize(output);
            Assert.True(c.Hash == Convert.ToHexStringLower(output), $"hash, {c.Length} bytes, {backend}");
            Assert.Equal(c.Hash[..64], Blake3Hasher.WithBackend(backend).Update(Input(c.Length)).Finalize().ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Keyed_hash_matches_every_vector(Blake3Backend backend)
    {
        foreach (var c in Cases())
        {
            byte[] output = new byte[c.Keyed.Length / 2];
            Blake3Hasher.NewKeyed(Encoding.ASCII.GetBytes(Key), backend).Update(Input(c.Length)).Finalize(output);
            Assert.True(c.Keyed == Convert.ToHexStringLower(output), $"keyed, {c.Length} bytes, {backend}");
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Derive_key_matches_every_vector(Blake3Backend backend)
    {
        foreach (var c in Cases())
        {
            byte[] output = new byte[c.Derived.Length / 2];
            Blake3Hasher.NewDeriveKey(Context, backend).Update(Input(c.Length)).Finalize(output);
            Assert.True(c.Derived == Convert.ToHexStringLower(output), $"derive_key, {c.Length} bytes, {backend}");
        }
    }

    [Fact]
    public void Hash_is_the_same_whatever_the_update_pieces()
    {
        // Splitting at every odd size exercises the chunk-state carry-over and the subtree alignment.
        foreach (var c in Cases())
        {
            byte[] input = Input(c.Length);
            foreach (int piece in new[] { 1, 63, 64, 65, 1023, 1024, 1025, 3000, 16385 })
            {
                var hasher = new Blake3Hasher();
                for (int offset = 0; offset < input.Length; offset += piece)
                {
                    hasher.Update(input.AsSpan(offset, Math.Min(piece, input.Length - offset)));
                }

                Assert.True(c.Hash[..64] == hasher.Finalize().ToString(), $"{c.Length} bytes in pieces of {piece}");
            }
        }
    }

    [Fact]
    public void Extendable_output_can_be_read_from_any_position()
    {
        foreach (var c in Cases())
        {
            var reader = new Blake3Hasher().Update(Input(c.Length)).FinalizeXof();
            byte[] expected = Convert.FromHexString(c.Hash);
            reader.Position = 37;
            byte[] tail = new byte[expected.Length - 37];
            reader.Read(tail.AsSpan(0, 5));
            reader.Read(tail.AsSpan(5));
            Assert.Equal(expected[37..], tail);
        }
    }

    [Fact]
    public void Parallel_hashing_matches_the_vectors()
    {
        foreach (var c in Cases())
        {
            Assert.Equal(c.Hash[..64], new Blake3Hasher().UpdateParallel(Input(c.Length), threads: 4).Finalize().ToString());
        }
    }

    [Fact]
    public void A_key_of_the_wrong_length_is_refused_with_its_length()
    {
        var error = Assert.Throws<ArgumentException>(() => Blake3Hasher.NewKeyed(new byte[31]));
        Assert.Contains("31", error.Message, StringComparison.Ordinal);
    }
}
