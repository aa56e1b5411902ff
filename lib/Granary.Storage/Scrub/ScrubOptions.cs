namespace Granary.Storage.Scrub;

/// <summary>How gently and how often <see cref="BlobScrubber"/> re-verifies stored blobs.</summary>
public sealed class ScrubOptions
{
    /// <summary>The smallest pace that is not "off": 64 KiB/s.</summary>
    public const long MinBytesPerSecond = 64 * 1024;

    /// <summary>Bytes read per second by the background scrub; 0 turns it off (<c>granary scrub --now</c> still works). Default 16 MiB/s (a terabyte in about 18 hours), at least <see cref="MinBytesPerSecond"/>.</summary>
    public long BytesPerSecond { get; init; } = 16L * 1024 * 1024;

    /// <summary>How long a blob's last verification (its scrub, or its storing) stays good before it is scrubbed again. Default 7 days, at least 1 second.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How long the scrubber sleeps when no blob is due (never longer than <see cref="Interval"/>): 1 minute by default, at least 10 ms.</summary>
    public TimeSpan IdleWait { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Throws if a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A pace between 0 and <see cref="MinBytesPerSecond"/>, or an interval or idle wait too short; the message names the option.</exception>
    public void Validate()
    {
        if (BytesPerSecond is < 0 or > 0 and < MinBytesPerSecond)
        {
            throw new ArgumentOutOfRangeException(nameof(BytesPerSecond), $"ScrubOptions.BytesPerSecond (--scrub-rate) is {BytesPerSecond}; it must be 0 (off) or at least {MinBytesPerSecond} bytes/s (64KiB).");
        }

        if (Interval < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(Interval), $"ScrubOptions.Interval (--scrub-interval) is {Interval}; it must be at least 1s.");
        }

        if (IdleWait < TimeSpan.FromMilliseconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(IdleWait), $"ScrubOptions.IdleWait is {IdleWait}; it must be at least 10 ms.");
        }
    }
}
