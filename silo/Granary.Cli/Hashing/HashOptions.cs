namespace Granary.Cli.Hashing;

/// <summary>What <c>granary hash</c> was asked to do; the names and meanings are b3sum's.</summary>
internal sealed record HashOptions
{
    /// <summary>Files to hash (or check files to check); "-" or none means standard input.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Most threads per file; 0 means one per logical core.</summary>
    public int Threads { get; init; }

    /// <summary>Output bytes per hash before hex encoding.</summary>
    public ulong Length { get; init; } = 32;

    /// <summary>Keyed mode: the 32-byte key is read from standard input.</summary>
    public bool Keyed { get; init; }

    /// <summary>Key derivation mode with this context string.</summary>
    public string? DeriveKeyContext { get; init; }

    /// <summary>Print only the hash.</summary>
    public bool NoNames { get; init; }

    /// <summary>Write the raw output bytes (one input only).</summary>
    public bool Raw { get; init; }

    /// <summary>Read files instead of mapping them; also disables multithreading.</summary>
    public bool NoMmap { get; init; }

    /// <summary>The paths are check files of <c>HEX  NAME</c> lines to verify.</summary>
    public bool Check { get; init; }

    /// <summary>In check mode, do not print OK lines.</summary>
    public bool Quiet { get; init; }
}
