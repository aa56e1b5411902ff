using Granary.Storage.IO;
using Granary.Storage.IO.IoUring;
using Granary.Testing;
using Microsoft.Win32.SafeHandles;

namespace Granary.Storage.Tests;

public sealed class IoUringFileIoTests : FileIoContract
{
    protected override IFileIo CreateEngine() =>
        IoUringFileIo.TryCreate(64, out string? refusal)
        ?? throw new InvalidOperationException($"io_uring is refused on this machine ({refusal}); this suite needs it.");

    [Fact]
    public async Task Disposing_waits_for_requests_in_flight()
    {
        using var directory = new TempDirectory();
        using SafeFileHandle file = File.OpenHandle(directory.File("f"), FileMode.Create, FileAccess.ReadWrite);
        var ring = (IoUringFileIo)CreateEngine();
        Task[] writes = Enumerable.Range(0, 500).Select(i => ring.WriteAsync(file, i * 100L, new byte[100]).AsTask()).ToArray();
        await ring.DisposeAsync();
        await Task.WhenAll(writes);
        Assert.Equal(0, ring.InFlight);
        Assert.Equal(50_000, RandomAccess.GetLength(file));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ring.ReadAsync(file, 0, new byte[1]).AsTask());
    }
}
