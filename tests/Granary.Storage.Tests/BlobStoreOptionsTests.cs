using Granary.Storage.Blobs;
using Granary.Storage.IO;
using Granary.Testing;

namespace Granary.Storage.Tests;

/// <summary><see cref="BlobStoreOptions.Validate"/>: the defaults pass, each bad value is refused with one sentence naming it, and opening a store checks first.</summary>
public sealed class BlobStoreOptionsTests
{
    private static BlobStoreOptions Valid() => new() { Directory = "/tmp/granary-options-test" };

    [Fact]
    public void Defaults_pass()
    {
        BlobStoreOptions options = Valid();
        options.Validate();
        Assert.Equal(TimeSpan.FromDays(7), options.DefaultTtl);
        Assert.Equal(TimeSpan.FromDays(90), options.MaxTtl);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MinTtl);
        Assert.Equal(1L << 40, options.MaxBlobSize);
        Assert.Equal(TimeSpan.FromMinutes(1), options.SweepInterval);
    }

    public static TheoryData<string, Action<BlobStoreOptions>, string> BadValues => new()
    {
        { "Directory", o => o.Directory = " ", "BlobStoreOptions.Directory is ' '; it must name the store's directory." },
        { "MinTtl", o => o.MinTtl = TimeSpan.Zero, "BlobStoreOptions.MinTtl is 00:00:00; it must be positive (a blob must outlive its upload's reply)." },
        { "MaxTtl", o => (o.MinTtl, o.MaxTtl) = (TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5)), "BlobStoreOptions.MaxTtl is 00:05:00; it must be at least MinTtl (00:10:00)." },
        { "DefaultTtl", o => o.DefaultTtl = TimeSpan.FromDays(100), "BlobStoreOptions.DefaultTtl is 100.00:00:00; it must lie between MinTtl (00:00:30) and MaxTtl (90.00:00:00)." },
        { "DefaultTtl", o => o.DefaultTtl = TimeSpan.FromSeconds(1), "BlobStoreOptions.DefaultTtl is 00:00:01; it must lie between MinTtl (00:00:30) and MaxTtl (90.00:00:00)." },
        { "MaxBlobSize", o => o.MaxBlobSize = 0, "BlobStoreOptions.MaxBlobSize is 0; it must be a positive number of bytes." },
        { "SweepInterval", o => o.SweepInterval = TimeSpan.FromSeconds(-1), "BlobStoreOptions.SweepInterval is -00:00:01; it must be positive." },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_is_refused_with_a_sentence_naming_it(string option, Action<BlobStoreOptions> spoil, string message)
    {
        BlobStoreOptions options = Valid();
        spoil(options);
        var error = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(option, error.ParamName);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_a_store_checks_the_options_before_touching_the_disk()
    {
        using var directory = new TempDirectory();
        string store = directory.File("store");
        await using IFileIo io = new RandomAccessFileIo();
        var options = new BlobStoreOptions { Directory = store, MinTtl = TimeSpan.FromDays(1), MaxTtl = TimeSpan.FromHours(1) };
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => BlobStore.OpenAsync(options, io));
        Assert.Equal(nameof(BlobStoreOptions.MaxTtl), error.ParamName);
        Assert.False(Directory.Exists(store));
    }
}
