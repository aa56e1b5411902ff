namespace Granary.Testing;

/// <summary>A clock the test moves by hand, for expiry logic (the product takes any TimeProvider).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves time forward.</summary>
    public void Advance(TimeSpan by) => _now += by;
}
