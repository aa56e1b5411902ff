using Granary.Blobs.Commands;

namespace Granary.Blobs.Tests;

/// <summary>Byte counts as people write them: plain, binary and decimal suffixes, fractions rounded up, and a sentence naming the option for anything else.</summary>
public sealed class ByteSizesTests
{
    public static TheoryData<string, long> Counts() => new()
    {
        { "1048576", 1_048_576 },
        { "1", 1 },
        { "512KiB", 512 * 1024 },
        { "64MiB", 64L << 20 },
        { "1GiB", 1L << 30 },
        { "2TiB", 2L << 40 },
        { "500KB", 500_000 },
        { "1.5GB", 1_500_000_000 },
        { "1GB", 1_000_000_000 },
        { "3TB", 3_000_000_000_000 },
        { "10B", 10 },
        { "10 GiB", 10L << 30 },
        { " 1gib ", 1L << 30 },
        { "0.5KiB", 512 },
        { "1.0001KiB", 1025 },
        { "1.5", 2 },
        { "9223372036854775807", long.MaxValue },
    };

    [Theory]
    [MemberData(nameof(Counts))]
    public void Reads_the_count(string text, long expected)
    {
        Assert.True(ByteSizes.TryParse(text, "--quota", out long value, out string? problem), problem);
        Assert.Equal(expected, value);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("GiB")]
    [InlineData("0")]
    [InlineData("0GiB")]
    [InlineData("-1")]
    [InlineData("-1GiB")]
    [InlineData("1,000")]
    [InlineData("1e9")]
    [InlineData("ten")]
    [InlineData("10 GiBs")]
    [InlineData("10XB")]
    [InlineData("9223372036854775808")]
    [InlineData("8388608TiB")]
    [InlineData("99999999999999999999999999999")]
    [InlineData("99999999999999999999999999TB")]
    public void Refuses_what_is_not_a_positive_count_with_a_sentence_naming_the_option(string? text)
    {
        Assert.False(ByteSizes.TryParse(text, "--quota", out long value, out string? problem));
        Assert.Equal(0, value);
        Assert.StartsWith($"--quota '{text}' is not a byte count", problem, StringComparison.Ordinal);
        Assert.Contains("e.g. 10GiB", problem, StringComparison.Ordinal);
    }
}
