using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;

namespace Granary.Transfers.Tests;

/// <summary>Which members of a collection a channel's paths select, and which paths are refused.</summary>
public sealed class PathSelectorTests
{
    private static readonly Blake3Hash Same = Blake3.Hash("same bytes"u8);

    private static readonly BlobCollection Tree = new(
    [
        new CollectionEntry("logs/a.txt", Blake3.Hash("a"u8), 1),
        new CollectionEntry("logs/b.txt", Blake3.Hash("b"u8), 1),
        new CollectionEntry("logsbook.txt", Blake3.Hash("book"u8), 4),
        new CollectionEntry("data/x.bin", Same, 10),
        new CollectionEntry("data/deep/y.bin", Blake3.Hash("y"u8), 1),
        new CollectionEntry("copy-of-x.bin", Same, 10),
    ]);

    [Fact]
    public void No_paths_select_every_member_once() =>
        Assert.Equal(Tree.Entries.Select(e => e.Hash).Distinct(), PathSelector.Select(Tree, []));

    [Fact]
    public void A_file_path_selects_that_file_and_a_directory_everything_below_it_in_the_collections_order()
    {
        Assert.Equal([Blake3.Hash("b"u8)], PathSelector.Select(Tree, ["logs/b.txt"]));
        Assert.Equal([Blake3.Hash("a"u8), Blake3.Hash("b"u8)], PathSelector.Select(Tree, ["logs/"])); // not logsbook.txt
        Assert.Equal([Same, Blake3.Hash("y"u8)], PathSelector.Select(Tree, ["data/"]));
        Assert.Equal([Blake3.Hash("y"u8)], PathSelector.Select(Tree, ["data/deep/"]));
    }

    [Fact]
    public void Overlapping_paths_and_two_entries_with_the_same_bytes_give_each_blob_once()
    {
        Assert.Equal([Same, Blake3.Hash("y"u8)], PathSelector.Select(Tree, ["data/deep/y.bin", "data/", "copy-of-x.bin"]));
    }

    [Theory]
    [InlineData("nope.txt", "The collection has no file 'nope.txt' (it holds 'logs/a.txt', 'logs/b.txt', 'logsbook.txt', 'data/x.bin', 'data/deep/y.bin' and 1 more)")]
    [InlineData("logs", "no file 'logs' (")]
    [InlineData("logs/c/", "no file 'logs/c/' or below it")]
    [InlineData("LOGS/a.txt", "no file 'LOGS/a.txt'")]
    public void A_path_that_selects_nothing_is_named_with_what_the_collection_holds(string path, string words)
    {
        var error = Assert.Throws<ArgumentException>(() => PathSelector.Select(Tree, ["logs/a.txt", path]));
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_directory_the_collection_lists_selects_nothing_without_an_error()
    {
        var tree = new BlobCollection([new CollectionEntry("full/f", Blake3.Hash("f"u8), 1)], ["empty", "a/b/c"]);
        Assert.Empty(PathSelector.Select(tree, ["empty/"]));
        Assert.Empty(PathSelector.Select(tree, ["a/"]));
        Assert.Equal([Blake3.Hash("f"u8)], PathSelector.Select(tree, ["a/b/", "full/"]));
    }

    [Fact]
    public void A_directory_named_without_its_slash_is_told_how_to_name_it_and_names_from_elsewhere_are_escaped()
    {
        Assert.Contains("'logs' is a directory: name it 'logs/'", Assert.Throws<ArgumentException>(() => PathSelector.Select(Tree, ["logs"])).Message, StringComparison.Ordinal);
        var hostile = new BlobCollection([new CollectionEntry("evil\u001b[31mred\nFAKE", Blake3.Hash("e"u8), 1)]);
        string message = Assert.Throws<ArgumentException>(() => PathSelector.Select(hostile, ["x\ny"])).Message;
        Assert.DoesNotContain('\u001b', message);
        Assert.DoesNotContain('\n', message);
        Assert.Contains("'x\\ny'", message, StringComparison.Ordinal);
        Assert.Contains("'evil\\x1b[31mred\\nFAKE'", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_collection_says_it_has_no_files() =>
        Assert.Contains("has no files", Assert.Throws<ArgumentException>(() => PathSelector.Select(new BlobCollection([]), ["a"])).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("", "not empty")]
    [InlineData("/abs", "must be relative")]
    [InlineData("a/./b", "no empty, '.' or '..' parts")]
    [InlineData("a//b", "no empty, '.' or '..' parts")]
    [InlineData("..", "no empty, '.' or '..' parts")]
    [InlineData("a\0b", "without NUL")]
    public void Paths_that_are_not_paths_within_a_collection_are_refused(string path, string words) =>
        Assert.Contains(words, PathSelector.Problem([path]), StringComparison.Ordinal);

    [Fact]
    public void Good_paths_have_no_problem_and_the_bounds_are_counted_in_paths_and_UTF8_bytes()
    {
        Assert.Null(PathSelector.Problem([]));
        Assert.Null(PathSelector.Problem(["logs/", "data/deep/y.bin", "naïve €.txt"]));
        Assert.Null(PathSelector.Problem([.. Enumerable.Range(0, PathSelector.MaxPaths).Select(i => $"f{i}")]));
        Assert.Null(PathSelector.Problem([new string('é', PathSelector.MaxPathBytes / 2)]));
        Assert.Contains("longer than 4096 bytes", PathSelector.Problem([new string('é', (PathSelector.MaxPathBytes / 2) + 1)]), StringComparison.Ordinal);
        Assert.Null(PathSelector.Problem([new string('a', 4096), new string('b', 2048)]));
        Assert.Contains("more than 6144 bytes together", PathSelector.Problem([new string('a', 4096), new string('b', 2049)]), StringComparison.Ordinal);
    }
}
