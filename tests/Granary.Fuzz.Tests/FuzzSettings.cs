using System.Globalization;

namespace Granary.Fuzz.Tests;

/// <summary>
/// How much to fuzz, read from the environment once per run. The default is the seeded slice the
/// ordinary test run takes (10^4 inputs per parser, a fixed seed, so a failure replays by itself);
/// <c>GRANARY_FUZZ_ITERATIONS</c> asks for more (<c>./build.sh --target=Fuzz</c> sets 10^6) and then
/// picks a random seed unless <c>GRANARY_FUZZ_SEED</c> names one: a long run should search new
/// ground every time, and every failure message prints the seed that replays it.
/// </summary>
internal static class FuzzSettings
{
    /// <summary>Inputs per parser in the default slice.</summary>
    public const long DefaultIterations = 10_000;

    /// <summary>The default slice's seed: fixed, so the ordinary test run is reproducible.</summary>
    public const ulong DefaultSeed = 0x6772_616e_6172_7931; // "granary1"

    /// <summary>Malformed requests the live-silo test sends in the default slice.</summary>
    public const int DefaultLiveRequests = 2_000;

    /// <summary>Malformed requests the live-silo test sends in a long run.</summary>
    public const int LongLiveRequests = 100_000;

    /// <summary>Inputs per parser.</summary>
    public static long Iterations { get; } = Read("GRANARY_FUZZ_ITERATIONS") is { } text
        ? long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture)
        : DefaultIterations;

    /// <summary>True when the run asked for more than the default slice.</summary>
    public static bool IsLongRun => Iterations > DefaultIterations;

    /// <summary>The run's base seed; each parser derives its own from it and its name.</summary>
    public static ulong Seed { get; } = Read("GRANARY_FUZZ_SEED") is { } text
        ? ulong.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
        : Read("GRANARY_FUZZ_ITERATIONS") is null ? DefaultSeed : (ulong)Random.Shared.NextInt64() ^ ((ulong)Environment.TickCount64 << 32);

    /// <summary>A CsCheck seed (as a failure message prints it): run only that one input, in every fuzz test the filter selects.</summary>
    public static string? Replay { get; } = Read("GRANARY_FUZZ_REPLAY");

    /// <summary>Requests the live-silo test sends: 10^5 in a long run, 2·10^3 otherwise, or <c>GRANARY_FUZZ_LIVE_REQUESTS</c>.</summary>
    public static int LiveRequests { get; } = Read("GRANARY_FUZZ_LIVE_REQUESTS") is { } text
        ? int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture)
        : IsLongRun ? LongLiveRequests : DefaultLiveRequests;

    /// <summary>A file to append one line of throughput per parser to (for RESULTS-style tables); none if unset.</summary>
    public static string? StatsFile { get; } = Read("GRANARY_FUZZ_STATS");

    /// <summary>The seed to replay this run: what a failure message tells the reader to set.</summary>
    public static string SeedText => Seed.ToString("x16", CultureInfo.InvariantCulture);

    private static string? Read(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value.Trim() : null;
}
