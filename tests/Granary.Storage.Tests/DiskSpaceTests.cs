using Granary.Storage.Blobs;
using Granary.Storage.IO;
using Granary.Testing;

namespace Granary.Storage.Tests;

/// <summary>
/// A declared size is preallocated before data comes, so it must fit on the disk: found by the
/// fuzzing suite, where a few puts declaring hundreds of GiB filled the disk and other clients'
/// requests failed.
/// </summary>
public sealed class DiskSpaceTests
{
    [Fact]
    public async Task An_upload_declaring_more_than_the_disk_has_free_is_refused_before_anything_is_written()
    {
        using var directory = new TempDirectory();
        await using IFileIo io = FileIo.Create();
        await using BlobStore store = await BlobStore.OpenAsync(new BlobStoreOptions { Directory = directory.Path }, io);
        long free = new DriveInfo(directory.Path).AvailableFreeSpace;
        long tooMuch = Math.Min(new BlobStoreOptions { Directory = "x" }.MaxBlobSize, free + (1L << 30));
        Assert.True(tooMuch > free, $"this test needs less than {tooMuch} bytes free on the disk of {directory.Path}");

        var refused = await Assert.ThrowsAsync<BlobStoreException>(() => store.ImportAsync(new MemoryStream([1, 2, 3]), declaredSize: tooMuch));

        Assert.Equal(BlobError.TooLarge, refused.Error);
        Assert.Contains("more than this silo's disk has free", refused.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(directory.File("tmp")));
        Assert.True(new DriveInfo(directory.Path).AvailableFreeSpace > free - (64L << 20), "space was taken by a refused upload");
        // What does fit still goes in: the refusal kept no reservation.
        Assert.Equal(3, (await store.ImportAsync(new MemoryStream([1, 2, 3]), declaredSize: 3)).Size);
    }
}
