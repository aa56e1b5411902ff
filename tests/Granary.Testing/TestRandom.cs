namespace Granary.Testing;

/// <summary>
/// Seeded randomness for property tests. The seed comes from GRANARY_TEST_SEED when set, so a
/// failure printed with its seed can be replayed exactly.
/// </summary>
public static class TestRandom
{
    /// <summary>The seed for this run.</summary>
    public static int Seed { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("GRANARY_TEST_SEED"), out int seed) ? seed : Random.Shared.Next();

    /// <summary>A generator for one test, derived from the run seed and the test's name.</summary>
    /// <remarks>Combined by hand: <see cref="HashCode.Combine{T1, T2}"/> is randomised per process, so a printed seed would not replay.</remarks>
    public static Random For(string testName) => new(unchecked((Seed * 31) + StableHash(testName)));

    /// <summary>Random bytes of the given length.</summary>
    public static byte[] Bytes(Random random, long length)
    {
        ArgumentNullException.ThrowIfNull(random);
        byte[] data = new byte[length];
        random.NextBytes(data);
        return data;
    }

    /// <summary>Context for an assertion message: how to replay this run.</summary>
    public static string Replay => $"(replay with GRANARY_TEST_SEED={Seed})";

    private static int StableHash(string text)
    {
        int hash = 17;
        foreach (char c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}
