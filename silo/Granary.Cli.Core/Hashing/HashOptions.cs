namespace Granary.Cli.Hashing;

/// <summary>
/// What <c>granary hash</c> was asked to do; the names and meanings are b3sum's. Checked by
/// <see cref="Validate"/> when the run starts (<see cref="HashRunner.RunAsync"/>); the command line
/// already refuses the same combinations with exit code 2, this covers runs started from code.
/// </summary>
internal sealed record HashOptions
{
    /// <summary>Files to hash (or check files to check); "-" or none means standard input. Default: none.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Most threads per file, 0 to <see cref="HashCommand.MaxThreads"/>; 0 means one per logical core. Default: 0.</summary>
    public int Threads { get; init; }

    /// <summary>Output bytes per hash before hex encoding, any number (BLAKE3 output is extendable); 32 with <see cref="Check"/>. Default: 32.</summary>
    public ulong Length { get; init; } = 32;

    /// <summary>Keyed mode: the 32-byte key is read from standard input; not with <see cref="DeriveKeyContext"/> or <see cref="Check"/>. Default: false.</summary>
    public bool Keyed { get; init; }

    /// <summary>Key derivation mode with this context string; not with <see cref="Keyed"/> or <see cref="Check"/>. Default: null (not this mode).</summary>
    public string? DeriveKeyContext { get; init; }

    /// <summary>Print only the hash; not with <see cref="Check"/>. Default: false.</summary>
    public bool NoNames { get; init; }

    /// <summary>Write the raw output bytes (one input only); not with <see cref="Check"/>. Default: false.</summary>
    public bool Raw { get; init; }

    /// <summary>Read files instead of mapping them; also disables multithreading. Default: false.</summary>
    public bool NoMmap { get; init; }

    /// <summary>The paths are check files of <c>HEX  NAME</c> lines to verify. Default: false.</summary>
    public bool Check { get; init; }

    /// <summary>In check mode, do not print OK lines; only with <see cref="Check"/>. Default: false.</summary>
    public bool Quiet { get; init; }

    /// <summary>Throws if a value is out of range or two options contradict each other (as b3sum's command line does).</summary>
    /// <exception cref="ArgumentException">A contradicting combination (keyed and derive-key, raw with several inputs, check with a mode or output option, quiet without check) or no path list; the message names the options and what is allowed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Threads"/> is outside 0 to <see cref="HashCommand.MaxThreads"/>.</exception>
    public void Validate()
    {
        if (Paths is null)
        {
            throw new ArgumentException("HashOptions.Paths is null; it must be a list of paths, empty for standard input.", nameof(Paths));
        }

        if (Threads is < 0 or > HashCommand.MaxThreads)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), $"HashOptions.Threads (--num-threads) is {Threads}; it must be 0 (one per logical core) to {HashCommand.MaxThreads}.");
        }

        if (Keyed && DeriveKeyContext is not null)
        {
            throw new ArgumentException("HashOptions.Keyed and DeriveKeyContext (--keyed, --derive-key) are both set; they are two different modes, so at most one may be.", nameof(DeriveKeyContext));
        }

        if (Raw && Paths.Count > 1)
        {
            throw new ArgumentException($"HashOptions.Raw (--raw) is set with {Paths.Count} paths; raw output has no names, so it takes one input only.", nameof(Raw));
        }

        if (Check)
        {
            var conflicts = new List<string>();
            if (Length != 32)
            {
                conflicts.Add($"Length {Length}");
            }

            foreach ((bool set, string name) in new[] { (Keyed, nameof(Keyed)), (DeriveKeyContext is not null, nameof(DeriveKeyContext)), (NoNames, nameof(NoNames)), (Raw, nameof(Raw)) })
            {
                if (set)
                {
                    conflicts.Add(name);
                }
            }

            if (conflicts.Count > 0)
            {
                throw new ArgumentException(
                    $"HashOptions.Check (--check) is set with {string.Join(", ", conflicts)}; it verifies default-mode 32-byte hashes, so Length must be 32 and Keyed, DeriveKeyContext, NoNames and Raw unset.",
                    nameof(Check));
            }
        }

        if (Quiet && !Check)
        {
            throw new ArgumentException("HashOptions.Quiet (--quiet) is set without Check; it only applies to --check.", nameof(Quiet));
        }
    }
}
