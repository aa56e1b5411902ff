using Granary.Storage.IO;
using Granary.Storage.IO.IoUring;
using Granary.Testing;
using Microsoft.Win32.SafeHandles;

namespace Granary.Storage.Tests;

public sealed class RandomAccessFileIoTests : FileIoContract
{
    protected override IFileIo CreateEngine() => new RandomAccessFileIo();
}
