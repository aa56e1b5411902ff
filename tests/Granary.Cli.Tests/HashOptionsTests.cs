using Granary.Cli.Hashing;

namespace Granary.Cli.Tests;

/// <summary><see cref="HashOptions.Validate"/>: the defaults and b3sum's valid combinations pass, contradictions are refused with one sentence naming them.</summary>
public sealed class HashOptionsTests
{
    // By name: HashOptions is internal, so it cannot be a public theory's parameter.
    private static readonly Dictionary<string, HashOptions> Bad = new()
    {
        ["threads -1"] = new HashOptions { Threads = -1 },
        ["threads 1025"] = new HashOptions { Threads = 1025 },
        ["keyed and derive-key"] = new HashOptions { Keyed = true, DeriveKeyContext = "ctx" },
        ["raw, two paths"] = new HashOptions { Raw = true, Paths = ["a", "b"] },
        ["check, length 64"] = new HashOptions { Check = true, Length = 64 },
        ["check, keyed, raw"] = new HashOptions { Check = true, Keyed = true, Raw = true },
        ["quiet without check"] = new HashOptions { Quiet = true },
    };

    [Fact]
    public void Defaults_and_valid_combinations_pass()
    {
        var defaults = new HashOptions();
        defaults.Validate();
        Assert.Empty(defaults.Paths);
        Assert.Equal(0, defaults.Threads);
        Assert.Equal(32UL, defaults.Length);
        Assert.Null(defaults.DeriveKeyContext);
        Assert.False(defaults.Keyed || defaults.NoNames || defaults.Raw || defaults.NoMmap || defaults.Check || defaults.Quiet);

        new HashOptions { Paths = ["a"], Raw = true, NoNames = true, Length = 1000 }.Validate();
        new HashOptions { Paths = ["a", "b"], Keyed = true, Threads = HashCommand.MaxThreads }.Validate();
        new HashOptions { Paths = ["sums"], Check = true, Quiet = true, NoMmap = true }.Validate();
    }

    [Theory]
    [InlineData("threads -1", "Threads", "HashOptions.Threads (--num-threads) is -1; it must be 0 (one per logical core) to 1024.")]
    [InlineData("threads 1025", "Threads", "HashOptions.Threads (--num-threads) is 1025; it must be 0 (one per logical core) to 1024.")]
    [InlineData("keyed and derive-key", "DeriveKeyContext", "HashOptions.Keyed and DeriveKeyContext (--keyed, --derive-key) are both set; they are two different modes, so at most one may be.")]
    [InlineData("raw, two paths", "Raw", "HashOptions.Raw (--raw) is set with 2 paths; raw output has no names, so it takes one input only.")]
    [InlineData("check, length 64", "Check", "HashOptions.Check (--check) is set with Length 64; it verifies default-mode 32-byte hashes, so Length must be 32 and Keyed, DeriveKeyContext, NoNames and Raw unset.")]
    [InlineData("check, keyed, raw", "Check", "HashOptions.Check (--check) is set with Keyed, Raw; it verifies default-mode 32-byte hashes, so Length must be 32 and Keyed, DeriveKeyContext, NoNames and Raw unset.")]
    [InlineData("quiet without check", "Quiet", "HashOptions.Quiet (--quiet) is set without Check; it only applies to --check.")]
    public void A_bad_value_is_refused_with_a_sentence_naming_it(string @case, string option, string message)
    {
        var error = Assert.ThrowsAny<ArgumentException>(Bad[@case].Validate);
        Assert.Equal(option, error.ParamName);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
