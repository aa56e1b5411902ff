using Granary.Storage.IO;
using Granary.Storage.IO.IoUring;
using Granary.Testing;
using Microsoft.Win32.SafeHandles;

namespace Granary.Storage.Tests;

public sealed class FileIoChoiceTests
{
    [Fact]
    public async Task The_factory_picks_io_uring_here_and_can_be_told_to_fall_back()
    {
        await using (IFileIo chosen = FileIo.Create())
        {
            Assert.Equal("io_uring", chosen.Name);
        }

        Environment.SetEnvironmentVariable("GRANARY_IO", "randomaccess");
        try
        {
            await using IFileIo fallback = FileIo.Create();
            Assert.Equal("RandomAccess", fallback.Name);
        }
        finally
        {
            Environment.SetEnvironmentVariable("GRANARY_IO", null);
        }
    }
}
