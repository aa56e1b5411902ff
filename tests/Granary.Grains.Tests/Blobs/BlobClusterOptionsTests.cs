using Granary.Grains.Blobs;

namespace Granary.Grains.Tests.Blobs;

/// <summary><see cref="BlobClusterOptions.Validate"/>: the defaults pass and each bad value is refused with one sentence naming it.</summary>
public sealed class BlobClusterOptionsTests
{
    [Fact]
    public void Defaults_pass()
    {
        var options = new BlobClusterOptions();
        options.Validate();
        Assert.Equal(2, options.Replicas);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RepairInterval);
        Assert.Equal(TimeSpan.FromMinutes(10), options.ReconcileInterval);
        Assert.Equal(TimeSpan.FromSeconds(1), options.RepairDebounce);
        Assert.False(options.Standalone);
        Assert.Equal(4, options.RepairConcurrency);
        Assert.Equal(TimeSpan.FromMinutes(10), options.CopyTimeout);
        Assert.Equal(64 * 1024, options.InlineCopyLimit);
    }

    [Fact]
    public void The_limits_themselves_pass()
    {
        new BlobClusterOptions { Replicas = 1, RepairDebounce = TimeSpan.Zero, RepairConcurrency = 1, InlineCopyLimit = 0 }.Validate();
        new BlobClusterOptions { Replicas = BlobClusterOptions.MaxReplicas, CopyTimeout = TimeSpan.FromMilliseconds(int.MaxValue), InlineCopyLimit = 1 << 20 }.Validate();
    }

    public static TheoryData<string, Action<BlobClusterOptions>, string> BadValues => new()
    {
        { "Replicas", o => o.Replicas = 0, "BlobClusterOptions.Replicas is 0; it must be 1 to 16." },
        { "Replicas", o => o.Replicas = 17, "BlobClusterOptions.Replicas is 17; it must be 1 to 16." },
        { "RepairInterval", o => o.RepairInterval = TimeSpan.Zero, "BlobClusterOptions.RepairInterval is 00:00:00; it must be positive and at most 24.20:31:23.6470000." },
        { "ReconcileInterval", o => o.ReconcileInterval = TimeSpan.FromMinutes(-1), "BlobClusterOptions.ReconcileInterval is -00:01:00; it must be positive." },
        { "RepairDebounce", o => o.RepairDebounce = TimeSpan.FromSeconds(-1), "BlobClusterOptions.RepairDebounce is -00:00:01; it must be zero or more and at most 24.20:31:23.6470000." },
        { "RepairConcurrency", o => o.RepairConcurrency = 0, "BlobClusterOptions.RepairConcurrency is 0; it must be at least 1." },
        { "CopyTimeout", o => o.CopyTimeout = TimeSpan.FromDays(30), "BlobClusterOptions.CopyTimeout is 30.00:00:00; it must be positive and at most 24.20:31:23.6470000." },
        { "InlineCopyLimit", o => o.InlineCopyLimit = -1, "BlobClusterOptions.InlineCopyLimit is -1; it must be 0 (off) to 1048576 bytes." },
        { "InlineCopyLimit", o => o.InlineCopyLimit = (1 << 20) + 1, "BlobClusterOptions.InlineCopyLimit is 1048577; it must be 0 (off) to 1048576 bytes." },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_is_refused_with_a_sentence_naming_it(string option, Action<BlobClusterOptions> spoil, string message)
    {
        var options = new BlobClusterOptions();
        spoil(options);
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(option, error.ParamName);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
