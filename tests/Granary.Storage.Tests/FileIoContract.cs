using Granary.Storage.IO;
using Granary.Storage.IO.IoUring;
using Granary.Testing;
using Microsoft.Win32.SafeHandles;

namespace Granary.Storage.Tests;

/// <summary>
/// What every file I/O engine must do, on real files. Each engine runs this same suite
/// (<see cref="IoUringFileIoTests"/>, <see cref="RandomAccessFileIoTests"/>).
/// </summary>
public abstract class FileIoContract : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();

    protected IFileIo Io { get; private set; } = null!;

    protected abstract IFileIo CreateEngine();

    public Task InitializeAsync()
    {
        Io = CreateEngine();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Io.DisposeAsync();
        _directory.Dispose();
    }

    private SafeFileHandle Open(string name, FileMode mode = FileMode.OpenOrCreate, FileAccess access = FileAccess.ReadWrite) =>
        File.OpenHandle(_directory.File(name), mode, access, FileShare.ReadWrite);

    [Fact]
    public async Task Written_bytes_read_back_at_any_offset()
    {
        var random = TestRandom.For(nameof(Written_bytes_read_back_at_any_offset) + Io.Name);
        using SafeFileHandle file = Open("data");
        byte[] model = new byte[3 << 20];
        for (int i = 0; i < 200; i++)
        {
            int offset = random.Next(model.Length - 70_000);
            byte[] piece = TestRandom.Bytes(random, random.Next(1, 70_000));
            await Io.WriteAsync(file, offset, piece);
            piece.CopyTo(model, offset);
        }

        long length = RandomAccess.GetLength(file);
        for (int i = 0; i < 200; i++)
        {
            int offset = random.Next((int)length);
            byte[] buffer = new byte[random.Next(1, 100_000)];
            int read = await Io.ReadAsync(file, offset, buffer);
            Assert.Equal((int)Math.Min(buffer.Length, length - offset), read);
            Assert.True(model.AsSpan(offset, read).SequenceEqual(buffer.AsSpan(0, read)), $"{Io.Name}: bytes at {offset} {TestRandom.Replay}");
        }
    }

    [Fact]
    public async Task Reads_at_or_past_the_end_return_what_is_there()
    {
        using SafeFileHandle file = Open("short");
        await Io.WriteAsync(file, 0, new byte[] { 1, 2, 3, 4, 5 });
        byte[] buffer = new byte[10];
        Assert.Equal(2, await Io.ReadAsync(file, 3, buffer));
        Assert.Equal(new byte[] { 4, 5 }, buffer[..2]);
        Assert.Equal(0, await Io.ReadAsync(file, 5, buffer));
        Assert.Equal(0, await Io.ReadAsync(file, 1000, buffer));
        Assert.Equal(0, await Io.ReadAsync(file, 0, Memory<byte>.Empty));
    }

    [Fact]
    public async Task Thousands_of_concurrent_requests_all_complete_with_their_own_data()
    {
        var random = TestRandom.For(nameof(Thousands_of_concurrent_requests_all_complete_with_their_own_data) + Io.Name);
        using SafeFileHandle file = Open("many");
        const int blocks = 4096;
        const int block = 4096;
        byte[] content = TestRandom.Bytes(random, (long)blocks * block);
        await Task.WhenAll(Enumerable.Range(0, blocks).Select(i => Io.WriteAsync(file, (long)i * block, content.AsMemory(i * block, block)).AsTask()));
        await Io.FlushToDiskAsync(file);

        int[] order = Enumerable.Range(0, blocks).OrderBy(_ => random.Next()).ToArray();
        byte[][] read = await Task.WhenAll(order.Select(async i =>
        {
            byte[] buffer = new byte[block];
            Assert.Equal(block, await Io.ReadAsync(file, (long)i * block, buffer));
            return buffer;
        }));
        for (int k = 0; k < blocks; k++)
        {
            Assert.True(content.AsSpan(order[k] * block, block).SequenceEqual(read[k]), $"{Io.Name}: block {order[k]}");
        }
    }

    [Fact]
    public async Task Large_requests_move_all_their_bytes()
    {
        var random = TestRandom.For(nameof(Large_requests_move_all_their_bytes));
        using SafeFileHandle file = Open("large");
        byte[] data = TestRandom.Bytes(random, 32 << 20);
        await Io.WriteAsync(file, 4096, data);
        await Io.FlushToDiskAsync(file);
        byte[] back = new byte[data.Length];
        int total = 0;
        while (total < back.Length)
        {
            total += await Io.ReadAsync(file, 4096 + total, back.AsMemory(total));
        }

        Assert.Equal(data, back);
        Assert.Equal(4096 + data.Length, RandomAccess.GetLength(file));
    }

    [Fact]
    public async Task Writing_a_read_only_handle_fails_with_the_system_reason()
    {
        File.WriteAllBytes(_directory.File("readonly"), [1, 2, 3]);
        using SafeFileHandle file = Open("readonly", FileMode.Open, FileAccess.Read);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Io.WriteAsync(file, 0, new byte[] { 9 }).AsTask());
        Assert.True(error is IOException or UnauthorizedAccessException, error.GetType().Name);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(_directory.File("readonly")));
    }

    [Fact]
    public async Task A_cancelled_request_throws_and_leaves_the_engine_usable()
    {
        using SafeFileHandle file = Open("cancel");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Io.ReadAsync(file, 0, new byte[10], cancelled.Token).AsTask());
        await Io.WriteAsync(file, 0, new byte[] { 7 });
        byte[] one = new byte[1];
        Assert.Equal(1, await Io.ReadAsync(file, 0, one));
        Assert.Equal(7, one[0]);
    }
}
