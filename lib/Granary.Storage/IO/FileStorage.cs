using Granary.Hashing.Verified;
using Microsoft.Win32.SafeHandles;

namespace Granary.Storage.IO;

/// <summary>A file as <see cref="IRandomAccessStorage"/>, through a file I/O engine; owns the handle.</summary>
public sealed class FileStorage : IRandomAccessStorage, IDisposable
{
    private readonly IFileIo _io;

    /// <summary>Wraps <paramref name="handle"/>, which this object closes on dispose.</summary>
    public FileStorage(IFileIo io, SafeFileHandle handle)
    {
        _io = io;
        Handle = handle;
    }

    /// <summary>The open file.</summary>
    public SafeFileHandle Handle { get; }

    /// <inheritdoc/>
    public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        _io.ReadAsync(Handle, offset, buffer, cancellationToken);

    /// <inheritdoc/>
    public ValueTask WriteAtAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _io.WriteAsync(Handle, offset, data, cancellationToken);

    /// <inheritdoc/>
    public void Dispose() => Handle.Dispose();
}
