namespace Granary.Grains.Transfers;

/// <summary>
/// How a silo runs transfer channels: piece size, timeouts and the restart monitor (after
/// go-data-transfer's channel monitor: restart after a disconnect with back-off, give up after a
/// number of consecutive restarts).
/// </summary>
public sealed class TransferOptions
{
    /// <summary>
    /// Bytes asked for per request while receiving: 16 MiB. A pause stops the flow after at most one
    /// piece in flight. Each piece costs a request round trip and two grain calls per side; 4 MiB
    /// pieces made a 1 GiB channel take 8.2 s where 16 MiB took 6.7 s and 64 MiB 6.2–6.5 s
    /// (bench/RESULTS.md), so 16 MiB keeps most of the gain while a pause still lands within ~0.1 s.
    /// </summary>
    public long PieceSize { get; set; } = 16L << 20;

    /// <summary>How long a message to the other side may take before it counts as unreachable: 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first wait before a restart after a disconnect: 1 s; it doubles per consecutive restart up to <see cref="MaxRestartBackoff"/>.</summary>
    public TimeSpan RestartBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between restarts: 30 s.</summary>
    public TimeSpan MaxRestartBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Restarts without data moving in between before the channel fails: 20 (about 8 minutes with the default back-off).</summary>
    public int MaxConsecutiveRestarts { get; set; } = 20;

    /// <summary>
    /// How long a sending side waits for the receiver to ask for data or to complete before it fails
    /// the channel: 30 min (go-data-transfer's complete timeout). Paused channels never time out.
    /// </summary>
    public TimeSpan InactivityTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value out of range, naming the option.</exception>
    public void Validate()
    {
        if (PieceSize is < 16 * 1024 or > 256L << 20)
        {
            throw new ArgumentException($"TransferOptions.PieceSize must be 16 KiB to 256 MiB, not {PieceSize} bytes.", nameof(PieceSize));
        }

        if (RequestTimeout <= TimeSpan.Zero || RestartBackoff <= TimeSpan.Zero || MaxRestartBackoff < RestartBackoff)
        {
            throw new ArgumentException("TransferOptions' RequestTimeout and RestartBackoff must be positive, and MaxRestartBackoff at least RestartBackoff.", nameof(RequestTimeout));
        }

        if (InactivityTimeout < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"TransferOptions.InactivityTimeout must be at least 1 s, not {InactivityTimeout}.", nameof(InactivityTimeout));
        }

        if (MaxConsecutiveRestarts < 1)
        {
            throw new ArgumentException($"TransferOptions.MaxConsecutiveRestarts must be at least 1, not {MaxConsecutiveRestarts}.", nameof(MaxConsecutiveRestarts));
        }
    }
}
